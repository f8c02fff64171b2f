package dev.transflow.model.eval;

import dev.transflow.model.baseline.JointModel;
import dev.transflow.model.baseline.LogisticRegressionModel;
import dev.transflow.model.baseline.TargetOnlyModel;
import dev.transflow.model.feature.SampleEncoder;
import dev.transflow.model.mkt.MktModel;
import dev.transflow.model.nn.Backbone;
import dev.transflow.model.train.CtrModel;
import dev.transflow.model.train.ModelConfig;

import java.util.List;

/** The models of {@code transflow evaluate}, by name. */
public final class Models {

    /**
     * Single-domain models first (logistic regression, plain MLP, DeepFM, DIN), then the MKT paper's comparison
     * (joint models, Finetune, MKT), ablations last.
     */
    public static final List<String> ALL = List.of("lr", "mlp", "deepfm", "din", "shared-bottom", "mmoe", "finetune",
            "mkt", "mkt-no-hfa", "mkt-no-pdl", "mkt-no-tem");

    /** What {@code transflow evaluate} compares unless told otherwise: everything but the w/o-TEM ablation. */
    public static final List<String> DEFAULT = ALL.subList(0, ALL.indexOf("mkt-no-pdl") + 1);

    /** Target models that read frozen MEM knowledge, so a MEM trainer publishes snapshots for them. */
    public static final List<String> WITH_MEM = List.of("mkt", "mkt-no-hfa", "mkt-no-pdl");

    private Models() {}

    /**
     * The model a continual MEM trainer runs for target model {@code name}: the same graph (so its MEM weights load
     * into the target model), predicting with MEM's own target tower.
     */
    public static MktModel memTrainer(String name, SampleEncoder encoder, ModelConfig config, long seed) {
        switch (name) {
            case "mkt": return new MktModel(name, encoder, config, seed, true, true, false);
            case "mkt-no-hfa": return new MktModel(name, encoder, config, seed, false, true, false);
            case "mkt-no-pdl": return new MktModel(name, encoder, config, seed, true, false, false);
            default:
                throw new IllegalArgumentException("Model '" + name + "' uses no MEM knowledge; MEM is trained for "
                        + WITH_MEM);
        }
    }

    public static CtrModel create(String name, SampleEncoder encoder, ModelConfig config, long seed) {
        switch (name) {
            case "lr": return new LogisticRegressionModel(name, encoder, config, seed);
            case "mlp": return new TargetOnlyModel(name, encoder, config, seed, Backbone.Spec.PLAIN, false);
            case "deepfm": return new TargetOnlyModel(name, encoder, config, seed, Backbone.Spec.DEEPFM, false);
            case "din": return new TargetOnlyModel(name, encoder, config, seed, Backbone.Spec.FULL, false);
            case "finetune": return new TargetOnlyModel(name, encoder, config, seed, Backbone.Spec.FULL, true);
            case "shared-bottom": return new JointModel(name, JointModel.Kind.SHARED_BOTTOM, encoder, config, seed);
            case "mmoe": return new JointModel(name, JointModel.Kind.MMOE, encoder, config, seed);
            case "mkt": return new MktModel(name, encoder, config, seed, true, true);
            case "mkt-no-hfa": return new MktModel(name, encoder, config, seed, false, true);
            case "mkt-no-pdl": return new MktModel(name, encoder, config, seed, true, false);
            case "mkt-no-tem": return new MktModel(name, encoder, config, seed, true, true, false);
            default:
                throw new IllegalArgumentException("Unknown model '" + name + "'; choose from " + ALL);
        }
    }
}
