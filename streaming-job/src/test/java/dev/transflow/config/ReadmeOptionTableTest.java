package dev.transflow.config;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's option table is the output of {@code transflow config --print-defaults --markdown}. */
class ReadmeOptionTableTest {

    static final String BEGIN = "<!-- transflow-options:begin (transflow config --print-defaults --markdown) -->";
    static final String END = "<!-- transflow-options:end -->";

    @Test
    void theReadmeTableIsTheCatalogues() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        int begin = readme.indexOf(BEGIN);
        int end = readme.indexOf(END);
        assertThat(begin).as("README.md has the marker " + BEGIN).isNotNegative();
        assertThat(end).as("README.md has the marker " + END).isGreaterThan(begin);
        assertThat(readme.substring(begin + BEGIN.length(), end).strip())
                .as("README.md's option table; regenerate it with 'transflow config --print-defaults --markdown'")
                .isEqualTo(OptionTable.markdown().strip());
    }
}
