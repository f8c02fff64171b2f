package dev.transflow.join;

import dev.transflow.schemas.Click;
import dev.transflow.schemas.EntityType;
import dev.transflow.schemas.FeatureValues;
import dev.transflow.schemas.PostFeatures;
import dev.transflow.schemas.PostImpression;
import dev.transflow.schemas.SharedFeatures;
import dev.transflow.schemas.UserProfile;
import dev.transflow.schemas.codec.PendingSampleEncoding;

import java.util.Map;

/** The impressions and clicks the sample join's tests send: a post {@code t<id>} at position 3. */
final class JoinEvents {

    private JoinEvents() {}

    static EncodedImpression impression(String user, String id, String category, long time) {
        FeatureValues none = new FeatureValues(Map.of(), Map.of());
        return EncodedImpression.of(Samples.of(PostImpression.newBuilder().setImpressionId(id).setEventTime(time)
                .setUserId(user).setItemId("t" + id).setPosition(3)
                .setUser(new UserProfile(2, "f", null, none)).setShared(new SharedFeatures(category, null, none))
                .setSpecific(new PostFeatures("review", null, 140, none)).build()), new PendingSampleEncoding());
    }

    /** A click on impression {@code id}'s post. */
    static Click click(String user, String id, long time) {
        return new Click(id, user, "t" + id, EntityType.POST, time);
    }
}
