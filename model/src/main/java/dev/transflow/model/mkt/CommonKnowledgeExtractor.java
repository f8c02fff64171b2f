package dev.transflow.model.mkt;

import dev.transflow.model.nn.Mmoe;
import dev.transflow.model.nn.Net;
import dev.transflow.schemas.Domain;

import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * CKE (MKT §3.2.3, eq. 7): an MMoE shared by both entity types, one gate per domain: {@code g_com = CKE(q)}. Its
 * experts end linearly, so PDL compares the knowledge vectors themselves.
 */
public final class CommonKnowledgeExtractor {

    private final Mmoe mmoe;

    public CommonKnowledgeExtractor(Net net, String name, String group, int inputs, int[] expertUnits, int experts) {
        this.mmoe = new Mmoe(net, name, group, inputs, expertUnits, experts, Domain.values().length, true);
    }

    public int outputs() {
        return mmoe.outputs();
    }

    public Operand<TFloat32> apply(Operand<TFloat32> q, Domain domain) {
        return mmoe.apply(q, domain.ordinal());
    }
}
