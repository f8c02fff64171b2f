package dev.transflow.history;

import dev.transflow.schemas.Click;
import dev.transflow.schemas.ClickedItem;
import dev.transflow.schemas.EntityType;

import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * User behaviour sequences in keyed state (keyed by user): the last {@code length} clicked items per entity type.
 * A sample gets the clicks of its user that happened before its impression time, newest first: never a later
 * click, even one that was processed earlier. Sequences of a user idle for {@code ttl} expire.
 *
 * <p>Both sequences are one state value ({@link UserClicks}), so that an impression costs one state read.
 */
public final class ClickHistory {

    private final int length;
    private final ValueState<UserClicks> clicks;

    private ClickHistory(int length, ValueState<UserClicks> clicks) {
        this.length = length;
        this.clicks = clicks;
    }

    /** Registers the history's state with the keyed operator of {@code context}; {@code length} is at least 1. */
    public static ClickHistory open(RuntimeContext context, int length, Duration ttl) {
        ValueStateDescriptor<UserClicks> descriptor = new ValueStateDescriptor<>("clicks",
                UserClicks.Serializer.INSTANCE);
        descriptor.enableTimeToLive(StateTtlConfig.newBuilder(ttl).build());
        return new ClickHistory(length, context.getState(descriptor));
    }

    /** The current user's clicks before {@code time}, newest first: products, then posts. */
    public Sequences asOf(long time) throws Exception {
        UserClicks user = clicks.value();
        if (user == null) {
            return new Sequences(List.of(), List.of());
        }
        return new Sequences(before(user.products, time), before(user.posts, time));
    }

    /** Clicked products and posts, each newest first. */
    public record Sequences(List<ClickedItem> products, List<ClickedItem> posts) { }

    /**
     * Adds a click of the current user.
     *
     * @param category the category of the impression it came from, or null when that impression is not known yet
     */
    public void record(Click click, String category) throws Exception {
        UserClicks user = clicks.value();
        if (user == null) {
            user = new UserClicks(new ArrayList<>(), new ArrayList<>());
        }
        List<ClickedItem> items = of(user, click.getEntityType());
        long time = click.getEventTime();
        int at = 0;
        while (at < items.size() && items.get(at).getClickTime() >= time) {
            at++;
        }
        items.add(at, new ClickedItem(click.getItemId(), category, time));
        // One spare per slot, so that a click arriving late in event time still finds its predecessors.
        while (items.size() > 2 * length) {
            items.remove(items.size() - 1);
        }
        clicks.update(user);
    }

    /** Sets the category of every click on {@code click}'s item that was recorded before its impression arrived. */
    public void completeCategory(Click click, String category) throws Exception {
        UserClicks user = clicks.value();
        if (category == null || user == null) {
            return;
        }
        // A category belongs to the item, so every click on it still without one gets it: a second click that came
        // before the impression too (a duplicate, late), or one on another impression of the same item.
        boolean changed = false;
        for (ClickedItem item : of(user, click.getEntityType())) {
            if (item.getCategory() == null && item.getItemId().equals(click.getItemId())) {
                item.setCategory(category);
                changed = true;
            }
        }
        if (changed) {
            clicks.update(user);
        }
    }

    private static List<ClickedItem> of(UserClicks user, EntityType type) {
        return type == EntityType.PRODUCT ? user.products : user.posts;
    }

    private List<ClickedItem> before(List<ClickedItem> newestFirst, long time) {
        List<ClickedItem> out = new ArrayList<>(Math.min(length, newestFirst.size()));
        for (ClickedItem item : newestFirst) {
            if (out.size() == length) {
                break;
            }
            if (item.getClickTime() < time) {
                out.add(item);
            }
        }
        return out;
    }
}
