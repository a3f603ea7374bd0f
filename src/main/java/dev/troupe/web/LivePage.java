package dev.troupe.web;

import java.io.IOException;
import java.util.Map;

/** A page whose sections follow the run: each drawn anew from what the journal (and the agents' output) says now. */
interface LivePage {

    /** Every section of the page by its element's id, as it should look now. */
    Map<String, String> sections() throws IOException;
}
