package dev.transflow.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class TransflowCliTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = TransflowCli.newCommandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void helpListsTheCommands() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("Usage: transflow").contains("kafka");
    }

    @Test
    void jobCommandsListTheirOptions() {
        assertThat(run("run", "--list-options")).isZero();
        assertThat(out.toString()).contains("transflow.trainer.batch-size")
                .contains("transflow.join.attribution-window").contains("transflow.sink.delivery-guarantee").contains("transflow.mem.publish-interval");
    }

    @Test
    void configPrintsEveryOptionWithItsDefaults() {
        assertThat(run("config", "--print-defaults")).isZero();
        String text = out.toString();
        assertThat(text).contains("transflow.trainer.batch-size (Integer, default 256)")
                .contains("Deprecated keys: trainer.batch-size")
                .contains("model.dropout (float, default 0.0)").contains("model.tem-residual");
        out.getBuffer().setLength(0);
        assertThat(run("config", "--print-defaults", "--markdown")).isZero();
        assertThat(out.toString()).startsWith("| Key | Type | Default | Description | Deprecated keys |")
                .contains("| `transflow.trainer.batch-size` | Integer | `256` |");
        assertThat(run("config")).isEqualTo(2);
        out.getBuffer().setLength(0);
        assertThat(run("demo", "--list-options")).isZero();
        assertThat(out.toString()).isEqualTo(text);
    }

    @Test
    void aMistypedJobOptionIsAUsageErrorNamingIt() {
        assertThat(run("run", "--set", "trainer.bach-size=64")).isEqualTo(2);
        assertThat(err.toString()).contains("Unknown option 'trainer.bach-size'").contains("--list-options");
        assertThat(run("pretrain", "mem", "--set", "trainer.batch-size=many")).isEqualTo(2);
        assertThat(err.toString()).contains("Cannot read 'many' as transflow.trainer.batch-size");
        assertThat(run("run", "--set", "transflow.mem.max-buffered-samples=16")).isEqualTo(2);
        assertThat(err.toString()).contains("transflow.mem.max-buffered-samples is 16; it must be at least "
                + "transflow.trainer.batch-size (256)");
        assertThat(run("run", "--set", "transflow.tpm.publish-interval=1m")).isEqualTo(2);
        assertThat(err.toString()).contains("did you mean 'transflow.tem.publish-interval'");
        assertThat(run("run", "--set", "novalue")).isEqualTo(2);
        assertThat(err.toString()).contains("KEY=VALUE");
    }

    @Test
    void simulateReadsWorldParametersFromAConfigFile(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("world.yaml"), "simulator:\n  users: many\n");
        assertThat(run("simulate", "--config", file.toString(), "--impressions", "10", "--out",
                dir.resolve("out").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("simulator.users");
    }

    @Test
    void pretrainNeedsAModelAndDemoAPositiveRate() {
        assertThat(run("pretrain")).isEqualTo(2);
        assertThat(err.toString()).contains("Missing model: mem");
        assertThat(run("demo", "--rate", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("--rate");
        assertThat(run("bench", "pipeline", "--impressions", "5", "--out", "x.json")).isEqualTo(2);
        err.getBuffer().setLength(0);
        assertThat(run("bench", "soak", "--interval", "1s", "--out", "x.json")).isEqualTo(2);
        assertThat(err.toString()).contains("--interval at least 5 s");
        err.getBuffer().setLength(0);
        assertThat(run("bench", "soak", "--duration", "1m", "--interval", "10s", "--out", "x.json")).isEqualTo(2);
        assertThat(err.toString()).contains("--duration at least 8 intervals");
    }

    @Test
    void kafkaHelpListsItsSubcommands() {
        assertThat(run("kafka", "--help")).isZero();
        assertThat(out.toString()).contains("start").contains("stop").contains("status");
    }

    @Test
    void unknownOptionIsAUsageError() {
        assertThat(run("kafka", "start", "--prot", "9092")).isEqualTo(2);
        assertThat(err.toString()).contains("Unknown option").contains("'--prot'");
    }

    @Test
    void missingCommandIsAUsageError() {
        assertThat(run()).isEqualTo(2);
        assertThat(err.toString()).contains("Missing command");
        assertThat(run("kafka")).isEqualTo(2);
        assertThat(err.toString()).contains("Missing subcommand");
    }

    @Test
    void portOutOfRangeIsAUsageError() {
        assertThat(run("kafka", "start", "--port", "70000")).isEqualTo(2);
        assertThat(err.toString()).contains("1..65535");
    }

    @Test
    void malformedDurationIsAUsageError() {
        assertThat(run("kafka", "stop", "--timeout", "whenever")).isEqualTo(2);
        assertThat(err.toString()).contains("not a duration");
    }

    @Test
    void takenPortIsNamed(@TempDir Path dir) throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 0, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();

            assertThat(run("kafka", "start", "--port", Integer.toString(port), "--data-dir", dir.toString()))
                    .isEqualTo(1);
            assertThat(err.toString())
                    .contains("transflow kafka start: Port " + port + " on 127.0.0.1 is already in use")
                    .contains("--port");
        }
    }

    @Test
    void unwritableDataDirIsNamed(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("a-file"), "not a directory");
        Path dataDir = file.resolve("kafka");

        assertThat(run("kafka", "start", "--data-dir", dataDir.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("The data directory " + dataDir + " is not writable")
                .contains("--data-dir");
    }

    @Test
    void statusWithoutABrokerSaysNotRunning(@TempDir Path dir) {
        assertThat(run("kafka", "status", "--data-dir", dir.toString())).isEqualTo(TransflowCli.EXIT_NOT_RUNNING);
        assertThat(out.toString()).contains("not running");
        assertThat(run("kafka", "stop", "--data-dir", dir.toString())).isZero();
        assertThat(out.toString()).contains("No broker is running");
    }

    @Test
    void staleStateFileIsIgnored(@TempDir Path dir) throws IOException {
        // A pid that cannot be ours: the broker that wrote this died long ago.
        Files.writeString(dir.resolve("broker.state"), "pid=" + Long.MAX_VALUE + "\nport=9092\n");

        assertThat(run("kafka", "status", "--data-dir", dir.toString())).isEqualTo(TransflowCli.EXIT_NOT_RUNNING);
        assertThat(dir.resolve("broker.state")).doesNotExist();
    }
}
