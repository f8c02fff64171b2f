package dev.transflow.cluster;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** What the embedded cluster opens to the network. */
class EmbeddedClusterTest {

    /** A TCP socket this JVM listens on: the address as the kernel writes it in /proc/net/tcp{,6}, and the port. */
    record Listening(String address, int port) {
        boolean loopback() {
            return address.equals("0100007F") // 127.0.0.1, little-endian
                    || address.equals("00000000000000000000000001000000") // ::1
                    || address.equals("0000000000000000FFFF00000100007F"); // ::ffff:127.0.0.1
        }
    }

    /**
     * The TCP sockets this JVM listens on (Linux: sockets of /proc/self/fd matched with the listening entries of
     * /proc/net/tcp and tcp6), so the test sees the address a server really bound, whatever it reports.
     */
    static Set<Listening> listening() throws IOException {
        Set<String> inodes = new HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring("socket:[".length(), target.length() - 1));
                    }
                } catch (IOException closedMeanwhile) {
                    // The descriptor was closed while listing; it listens on nothing.
                }
            }
        }
        Set<Listening> result = new HashSet<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            List<String> lines = Files.readAllLines(Path.of(table));
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                String[] local = f[1].split(":");
                if (f[3].equals("0A") && inodes.contains(f[9])) { // 0A: LISTEN
                    result.add(new Listening(local[0], Integer.parseInt(local[1], 16)));
                }
            }
        }
        return result;
    }

    @Test
    void listensOnLoopbackOnlyByDefault() throws Exception {
        Set<Listening> before = listening();
        try (EmbeddedCluster cluster = EmbeddedCluster.start(new Configuration(), 1)) {
            Set<Listening> opened = listening();
            opened.removeAll(before);

            assertThat(opened).as("sockets the cluster listens on").isNotEmpty()
                    .anySatisfy(s -> assertThat(s.port()).isEqualTo(cluster.restAddress().getPort()))
                    .allSatisfy(s -> assertThat(s.loopback()).as("%s is loopback", s).isTrue());
            assertThat(cluster.restAddress().getHost()).isEqualTo("127.0.0.1");
        }
    }

    @Test
    void theRestBindAddressCanBeWidened() throws Exception {
        Configuration config = new Configuration();
        config.set(RestOptions.BIND_ADDRESS, "0.0.0.0");
        try (EmbeddedCluster cluster = EmbeddedCluster.start(config, 1)) {
            int port = cluster.restAddress().getPort();

            assertThat(listening()).filteredOn(s -> s.port() == port)
                    .anySatisfy(s -> assertThat(s.loopback()).isFalse());
        }
    }
}
