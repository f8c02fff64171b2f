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

        int exit = cli.execute("demo", "--duration", "45s", "--rate", "1500", "--progress-every", "10s");

        assertThat(exit).as(err.toString()).isZero();
        String text = out.toString();
        assertThat(text).contains("Web UI: http://").contains("[  10s] events=");
        Matcher summary = Pattern.compile("demo summary: events=(\\d+) samples=(\\d+) target_auc=(\\S+) "
                + "mem_versions=(\\d+) dead_letters=(\\d+)").matcher(text);
        assertThat(summary.find()).as(text).isTrue();
        // 45 s at 1500 impressions/s, clicks included.
        assertThat(Long.parseLong(summary.group(1))).isGreaterThan(50_000);
        assertThat(Long.parseLong(summary.group(2))).isPositive();
        assertThat(Long.parseLong(summary.group(5))).isEqualTo(6);
    }
}
