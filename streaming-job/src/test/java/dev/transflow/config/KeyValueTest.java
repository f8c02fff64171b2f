package dev.transflow.config;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KeyValueTest {

    @Test
    void splitsAtTheFirstEqualsSignAndTrims() {
        assertThat(KeyValue.parse(" model.dropout = 0.1 ")).isEqualTo(new KeyValue("model.dropout", "0.1"));
        assertThat(KeyValue.parse("a=b=c")).isEqualTo(new KeyValue("a", "b=c"));
        assertThat(KeyValue.parse("a=")).isEqualTo(new KeyValue("a", ""));
    }

    @Test
    void aMissingEqualsSignOrKeyIsOneError() {
        for (String bad : new String[] {"model.dropout", "=0.1", "  =0.1", ""}) {
            assertThatThrownBy(() -> KeyValue.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("--set takes KEY=VALUE (a key, '=', then the value), got '" + bad + "'");
        }
    }
}
