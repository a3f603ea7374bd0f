package dev.troupe.report;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ReportStyleTest {

    @Test
    void thePagesStylesAreAResourceBesideReportPage() throws Exception {
        try (InputStream css = ReportPage.class.getResourceAsStream("report.css")) {
            assertNotNull(css, "report.css on the classpath");
            String styles = new String(css.readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(styles.startsWith(":root {") && styles.contains("ol.transcript"), styles);
        }
    }
}
