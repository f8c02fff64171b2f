package dev.transflow.it;

import dev.transflow.cli.TransflowCli;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's first command, in process: broker, simulator, both jobs, progress lines and the summary. */
class DemoCommandTest {

    @Test
    void aTimedDemoPrintsProgressAndASummaryAndExitsZero() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cli = TransflowCli.newCommandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));

        // Ends on a condition (samples trained), not after a fixed time: a loaded machine starts the jobs later.
        int exit = cli.execute("demo", "--duration", "5m", "--until-samples", "3000", "--rate", "1500",
                "--progress-every", "10s");

        assertThat(exit).as(err.toString()).isZero();
        String text = out.toString();
        assertThat(text).contains("Web UI: http://").contains("[  10s] events=");
        Matcher summary = Pattern.compile("demo summary: events=(\\d+) samples=(\\d+) target_auc=(\\S+) "
                + "mem_versions=(\\d+) dead_letters=(\\d+)").matcher(text);
        assertThat(summary.find()).as(text).isTrue();
        long events = Long.parseLong(summary.group(1));
        long samples = Long.parseLong(summary.group(2));
        assertThat(samples).isGreaterThanOrEqualTo(3000);
        // Target samples are a fraction of the impressions sent, and every impression is an event.
        assertThat(events).isGreaterThan(samples);
        String auc = summary.group(3);
        if (!auc.equals("n/a")) {
            assertThat(Double.parseDouble(auc)).isBetween(0.0, 1.0);
        }
        assertThat(Long.parseLong(summary.group(4))).isNotNegative();
        assertThat(Long.parseLong(summary.group(5))).isEqualTo(6);
    }
}
