package dev.transflow.history;

import dev.transflow.schemas.ClickedItem;

import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** The state of one user's {@link ClickHistory}: clicked products and posts, each newest first. */
public final class UserClicks {

    final List<ClickedItem> products;
    final List<ClickedItem> posts;

    UserClicks(List<ClickedItem> products, List<ClickedItem> posts) {
        this.products = products;
        this.posts = posts;
    }

    /**
     * Writes both sequences field by field (count, then item id, category, click time per item). Read for every
     * impression: Avro's serializer resolved each item's fields by reflection and wrapped each in a TTL record.
     */
    public static final class Serializer extends TypeSerializerSingleton<UserClicks> {

        private static final long serialVersionUID = 1L;

        static final Serializer INSTANCE = new Serializer();

        private Serializer() {}

        @Override
        public boolean isImmutableType() {
            return false;
        }

        @Override
        public UserClicks createInstance() {
            return new UserClicks(new ArrayList<>(), new ArrayList<>());
        }

        @Override
        public UserClicks copy(UserClicks from) {
            return new UserClicks(copy(from.products), copy(from.posts));
        }

        private static List<ClickedItem> copy(List<ClickedItem> items) {
            List<ClickedItem> out = new ArrayList<>(items.size());
            for (ClickedItem item : items) {
                out.add(new ClickedItem(item.getItemId(), item.getCategory(), item.getClickTime()));
            }
            return out;
        }

        @Override
        public UserClicks copy(UserClicks from, UserClicks reuse) {
            return copy(from);
        }

        @Override
        public int getLength() {
            return -1;
        }

        @Override
        public void serialize(UserClicks clicks, DataOutputView out) throws IOException {
            write(clicks.products, out);
            write(clicks.posts, out);
        }

        private static void write(List<ClickedItem> items, DataOutputView out) throws IOException {
            out.writeInt(items.size());
            for (ClickedItem item : items) {
                StringSerializer.INSTANCE.serialize(item.getItemId(), out);
                StringSerializer.INSTANCE.serialize(item.getCategory(), out);
                out.writeLong(item.getClickTime());
            }
        }

        @Override
        public UserClicks deserialize(DataInputView in) throws IOException {
            List<ClickedItem> products = read(in);
            return new UserClicks(products, read(in));
        }

        private static List<ClickedItem> read(DataInputView in) throws IOException {
            int n = in.readInt();
            List<ClickedItem> items = new ArrayList<>(n + 1);
            for (int i = 0; i < n; i++) {
                String itemId = StringSerializer.INSTANCE.deserialize(in);
                String category = StringSerializer.INSTANCE.deserialize(in);
                items.add(new ClickedItem(itemId, category, in.readLong()));
            }
            return items;
        }

        @Override
        public UserClicks deserialize(UserClicks reuse, DataInputView in) throws IOException {
            return deserialize(in);
        }

        @Override
        public void copy(DataInputView in, DataOutputView out) throws IOException {
            serialize(deserialize(in), out);
        }

        @Override
        public TypeSerializerSnapshot<UserClicks> snapshotConfiguration() {
            return new Snapshot();
        }

        /** Restores the serializer from a checkpoint; the format has one version so far. */
        public static final class Snapshot extends SimpleTypeSerializerSnapshot<UserClicks> {
            public Snapshot() {
                super(() -> INSTANCE);
            }
        }
    }
}
