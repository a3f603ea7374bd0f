package dev.troupe.git;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LastWordsTest {

    /** The end of Express's mocha suite with one failing test, as npm test prints it. */
    private static final String MOCHA = """
              1236 passing (5s)
              2 pending
              1 failing

              1) troupe broken
                   is false:

                  AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:

            2 !== 3

                  + expected - actual

                  -2
                  +3

                  at Context.<anonymous> (test/troupe.broken.js:1:116)
                  at process.processImmediate (node:internal/timers:483:21)
                  at process.callbackTrampoline (node:internal/async_hooks:130:17)
            """;

    @Test
    void aFailedTestRunIsToldByItsFailureAndItsErrorNotItsStackFrames() {
        assertEquals("1 failing | AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:",
                LastWords.ofFailure(MOCHA));
    }

    @Test
    void outputThatNamesNoFailureIsToldByItsLastTwoLines() {
        assertEquals("1 passing | bad.txt is not allowed", LastWords.ofFailure("1 passing\nbad.txt is not allowed\n"));
        assertEquals("", LastWords.ofFailure(""));
    }

    @Test
    void lastWordsAreBoundedKeepingTheirEnd() {
        String said = LastWords.of("x".repeat(1000) + " the end", 1);

        assertEquals(LastWords.MAX, said.length());
        assertEquals(true, said.startsWith("...") && said.endsWith(" the end"));
    }
}
