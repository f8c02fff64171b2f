package dev.transflow.history;

import dev.transflow.schemas.Click;
import dev.transflow.schemas.ClickedItem;
import dev.transflow.schemas.EntityType;

import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * User behaviour sequences in keyed state (keyed by user): the last {@code length} clicked items per entity type.
 * A sample gets the clicks of its user that happened before its impression time, newest first: never a later
 * click, even one that was processed earlier. Sequences of a user idle for {@code ttl} expire.
 */
public final class ClickHistory {

    private static final Comparator<ClickedItem> NEWEST_FIRST =
            Comparator.comparingLong(ClickedItem::getClickTime).reversed();

    private final int length;
    private final ListState<ClickedItem> products;
    private final ListState<ClickedItem> posts;

    private ClickHistory(int length, ListState<ClickedItem> products, ListState<ClickedItem> posts) {
        this.length = length;
        this.products = products;
        this.posts = posts;
    }

    /** Registers the history's state with the keyed operator of {@code context}; {@code length} is at least 1. */
    public static ClickHistory open(RuntimeContext context, int length, Duration ttl) {
        StateTtlConfig expiry = StateTtlConfig.newBuilder(ttl).build();
        ListStateDescriptor<ClickedItem> productDescriptor = new ListStateDescriptor<>("clicked-products",
                TypeInformation.of(ClickedItem.class));
        productDescriptor.enableTimeToLive(expiry);
        ListStateDescriptor<ClickedItem> postDescriptor = new ListStateDescriptor<>("clicked-posts",
                TypeInformation.of(ClickedItem.class));
        postDescriptor.enableTimeToLive(expiry);
        return new ClickHistory(length, context.getListState(productDescriptor), context.getListState(postDescriptor));
    }

    /** The current user's clicks before {@code time}, newest first: products, then posts. */
    public Sequences asOf(long time) throws Exception {
        return new Sequences(before(products.get(), time), before(posts.get(), time));
    }

    /** Clicked products and posts, each newest first. */
    public record Sequences(List<ClickedItem> products, List<ClickedItem> posts) { }

    /**
     * Adds a click of the current user.
     *
     * @param category the category of the impression it came from, or null when that impression is not known yet
     */
    public void record(Click click, String category) throws Exception {
        ListState<ClickedItem> state = of(click.getEntityType());
        List<ClickedItem> items = new ArrayList<>(2 * length + 1);
        for (ClickedItem item : state.get()) {
            items.add(item);
        }
        items.add(new ClickedItem(click.getItemId(), category, click.getEventTime()));
        items.sort(NEWEST_FIRST);
        // One spare per slot, so that a click arriving late in event time still finds its predecessors.
        state.update(items.size() > 2 * length ? items.subList(0, 2 * length) : items);
    }

    /** Sets the category of a click that was recorded before its impression arrived. */
    public void completeCategory(Click click, String category) throws Exception {
        if (category == null) {
            return;
        }
        ListState<ClickedItem> state = of(click.getEntityType());
        List<ClickedItem> items = new ArrayList<>(2 * length);
        boolean found = false;
        for (ClickedItem item : state.get()) {
            if (!found && item.getCategory() == null && item.getClickTime() == click.getEventTime()
                    && item.getItemId().equals(click.getItemId())) {
                item.setCategory(category);
                found = true;
            }
            items.add(item);
        }
        if (found) {
            state.update(items);
        }
    }

    private ListState<ClickedItem> of(EntityType type) {
        return type == EntityType.PRODUCT ? products : posts;
    }

    private List<ClickedItem> before(Iterable<ClickedItem> clicks, long time) {
        List<ClickedItem> out = new ArrayList<>(length);
        for (ClickedItem item : clicks) {
            if (item.getClickTime() < time) {
                out.add(item);
            }
        }
        out.sort(NEWEST_FIRST);
        return out.size() > length ? new ArrayList<>(out.subList(0, length)) : out;
    }
}
