package dev.transflow.history;

import dev.transflow.schemas.Click;
import dev.transflow.schemas.ClickedItem;
import dev.transflow.schemas.EntityType;
import dev.transflow.schemas.LabeledSample;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * User behaviour sequences, keyed by user: the last {@code length} clicked items per entity type. Each impression
 * leaves with the clicks of its user that happened before its impression time (point in time: never a later click,
 * even one that was processed earlier), newest first. Clicked items carry the category of the impression they
 * came from when this user's impression was seen here. History of a user idle for {@code ttl} expires.
 */
public final class UserHistoryFunction extends KeyedCoProcessFunction<String, LabeledSample, Click, LabeledSample> {

    private static final long serialVersionUID = 1L;
    private static final String CATEGORY = "category";

    private final int length;
    private final Duration ttl;

    private transient ListState<ClickedItem> products;
    private transient ListState<ClickedItem> posts;
    private transient ValueState<Map<String, String>> categories;

    public UserHistoryFunction(int length, Duration ttl) {
        if (length < 1) {
            throw new IllegalArgumentException("The sequence length must be >= 1, got " + length);
        }
        this.length = length;
        this.ttl = ttl;
    }

    @Override
    public void open(OpenContext context) {
        StateTtlConfig expiry = StateTtlConfig.newBuilder(ttl).build();
        ListStateDescriptor<ClickedItem> productDescriptor = new ListStateDescriptor<>("clicked-products",
                TypeInformation.of(ClickedItem.class));
        productDescriptor.enableTimeToLive(expiry);
        ListStateDescriptor<ClickedItem> postDescriptor = new ListStateDescriptor<>("clicked-posts",
                TypeInformation.of(ClickedItem.class));
        postDescriptor.enableTimeToLive(expiry);
        @SuppressWarnings({"unchecked", "rawtypes"})
        ValueStateDescriptor<Map<String, String>> categoryDescriptor = new ValueStateDescriptor<>("item-categories",
                (TypeInformation) TypeInformation.of(Map.class));
        categoryDescriptor.enableTimeToLive(expiry);
        products = getRuntimeContext().getListState(productDescriptor);
        posts = getRuntimeContext().getListState(postDescriptor);
        categories = getRuntimeContext().getState(categoryDescriptor);
    }

    @Override
    public void processElement1(LabeledSample sample, Context ctx, Collector<LabeledSample> out) throws Exception {
        String category = sample.getShared().getCategorical().get(CATEGORY);
        if (category != null) {
            Map<String, String> stored = categories.value();
            LinkedHashMap<String, String> known = stored == null ? new LinkedHashMap<>() : new LinkedHashMap<>(stored);
            known.remove(sample.getItemId());
            known.put(sample.getItemId(), category);
            // Bounded like the sequences: only the user's recent items can still be clicked in time to matter.
            Iterator<String> oldest = known.keySet().iterator();
            while (known.size() > 4 * length) {
                oldest.next();
                oldest.remove();
            }
            categories.update(known);
        }
        long t = sample.getImpressionTime();
        // The sample is this operator's own (deserialized from the network): filled in place, not deep-copied.
        sample.setClickedProducts(before(products.get(), t));
        sample.setClickedPosts(before(posts.get(), t));
        out.collect(sample);
    }

    @Override
    public void processElement2(Click click, Context ctx, Collector<LabeledSample> out) throws Exception {
        ListState<ClickedItem> state = click.getEntityType() == EntityType.PRODUCT ? products : posts;
        Map<String, String> known = categories.value();
        List<ClickedItem> items = new ArrayList<>();
        for (ClickedItem item : state.get()) {
            items.add(item);
        }
        items.add(new ClickedItem(click.getItemId(), known == null ? null : known.get(click.getItemId()),
                click.getEventTime()));
        items.sort(Comparator.comparingLong(ClickedItem::getClickTime).reversed());
        // Keep one spare per slot so a click arriving late in event time still finds its predecessors.
        state.update(items.size() > 2 * length ? items.subList(0, 2 * length) : items);
    }

    private List<ClickedItem> before(Iterable<ClickedItem> clicks, long time) {
        List<ClickedItem> out = new ArrayList<>(length);
        for (ClickedItem item : clicks) {
            if (item.getClickTime() < time) {
                out.add(item);
            }
        }
        out.sort(Comparator.comparingLong(ClickedItem::getClickTime).reversed());
        return out.size() > length ? new ArrayList<>(out.subList(0, length)) : out;
    }
}
