package dev.transflow.config;

import dev.transflow.train.MemOptions;
import dev.transflow.train.TrainerOptions;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.FallbackKey;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OptionCatalogueTest {

    @Test
    void everyKeyStartsWithItsHoldersPrefixUnderTheRoot() {
        assertThat(OptionCatalogue.holders()).hasSize(9);
        for (OptionHolder holder : OptionCatalogue.holders()) {
            assertThat(holder.prefix()).as(holder.type().getName()).startsWith(OptionCatalogue.ROOT).endsWith(".");
            for (ConfigOption<?> option : holder.options()) {
                assertThat(option.key()).as(holder.type().getName()).startsWith(holder.prefix());
                assertThat(option.description().getBlocks()).as(option.key()).isNotEmpty();
            }
        }
    }

    @Test
    void noTwoOptionsShareAKeyAndPrefixesAreTheirHoldersAlone() {
        Map<String, String> owners = new HashMap<>();
        for (ConfigOption<?> option : OptionCatalogue.options()) {
            assertThat(owners.put(option.key(), option.key())).as(option.key()).isNull();
            for (FallbackKey fallback : option.fallbackKeys()) {
                assertThat(owners.put(fallback.getKey(), option.key())).as(fallback.getKey()).isNull();
                assertThat(fallback.isDeprecated()).isTrue();
            }
        }
        assertThat(OptionCatalogue.holders().stream().map(OptionHolder::prefix).distinct())
                .hasSameSizeAs(OptionCatalogue.holders());
    }

    @Test
    void oldKeysAreReadAsTheCurrentOnes() {
        assertThat(OptionCatalogue.canonicalKey("trainer.batch-size")).isEqualTo("transflow.trainer.batch-size");
        assertThat(OptionCatalogue.canonicalKey("sink.delivery-guarantee"))
                .isEqualTo("transflow.sink.delivery-guarantee");
        assertThat(OptionCatalogue.canonicalKey("transflow.mem.publish-interval"))
                .isEqualTo("transflow.mem.publish-interval");
        Configuration config = Configuration.fromMap(Map.of("mem.max-buffered-samples", "512"));
        assertThat(config.get(MemOptions.MAX_BUFFERED)).isEqualTo(512);
    }

    @Test
    void anUnknownTransflowKeyFailsWithTheClosestKnownOne() {
        assertThatThrownBy(() -> OptionCatalogue.canonicalKey("transflow.trainer.bach-size"))
                .hasMessageContaining("Unknown option 'transflow.trainer.bach-size'")
                .hasMessageContaining("did you mean 'transflow.trainer.batch-size'");
        assertThatThrownBy(() -> OptionCatalogue.canonicalKey("trainer.bach-size"))
                .hasMessageContaining("did you mean 'transflow.trainer.batch-size'");
        assertThatThrownBy(() -> OptionCatalogue.canonicalKey("transflow.tpm.publish-interval"))
                .hasMessageContaining("did you mean 'transflow.tem.publish-interval'");
    }

    @Test
    void modelAndFlinkKeysPassUntouched() {
        assertThat(OptionCatalogue.canonicalKey("model.mkt.hidden-units")).isEqualTo("model.mkt.hidden-units");
        assertThat(OptionCatalogue.canonicalKey("transflow.model.lr")).isEqualTo("transflow.model.lr");
        assertThat(OptionCatalogue.canonicalKey("execution.checkpointing.interval"))
                .isEqualTo("execution.checkpointing.interval");
        assertThat(OptionCatalogue.canonicalKey("simulator.users")).isEqualTo("simulator.users");
        assertThat(OptionCatalogue.modelSettings(Map.of("model.lr", "0.1", "transflow.model.x", "1",
                "transflow.trainer.seed", "3"))).containsOnlyKeys("model.lr", "model.x");
    }

    @Test
    void validationParsesAndChecksEveryValue() {
        assertThatCode(() -> OptionCatalogue.validate(new Configuration())).doesNotThrowAnyException();
        assertThatThrownBy(() -> OptionCatalogue.validate(config("transflow.join.attribution-window", "soon")))
                .hasMessageContaining("Cannot read 'soon' as transflow.join.attribution-window");
        assertThatThrownBy(() -> OptionCatalogue.validate(config("transflow.trainer.batch-size", "1")))
                .hasMessageContaining("transflow.trainer.batch-size is 1; it must be at least 2");
        assertThatThrownBy(() -> OptionCatalogue.validate(config("transflow.source.idleness", "0s")))
                .hasMessageContaining("transflow.source.idleness is PT0S; it must be positive");
        assertThatThrownBy(() -> OptionCatalogue.validate(config("transflow.sink.max-request-size", "1kb")))
                .hasMessageContaining("transflow.sink.max-request-size is 1024 bytes");
    }

    @Test
    void namedChecksRelateOptions() {
        assertThatThrownBy(() -> OptionCatalogue.validate(config("transflow.trainer.batch-size", "8192")))
                .hasMessageContaining(MemOptions.MAX_BUFFERED.key() + " is 4096; it must be at least "
                        + TrainerOptions.BATCH_SIZE.key() + " (8192)");
        assertThatThrownBy(() -> OptionCatalogue.validate(config("source.max-future-skew", "10m")))
                .hasMessageContaining("must be shorter than transflow.join.attribution-window");
        assertThat(MemOptions.VALIDATORS.namedChecks()).containsKey("max-buffered-fits-batch");
    }

    private static Configuration config(String key, String value) {
        return Configuration.fromMap(Map.of(key, value));
    }
}
