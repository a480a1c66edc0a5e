package dev.claimdesk.localdb;

import de.bwaldvogel.mongo.backend.AbstractUniqueIndex;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.backend.Missing;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A unique index in a hash map (key values → positions), kept in memory and filled from the
 * documents when its database opens. mongo-java-server's own checks (uniqueness, sparse
 * documents, $in and range queries over the keys) come from its AbstractUniqueIndex.
 */
final class HashUniqueIndex extends AbstractUniqueIndex<Object> implements FilledOnOpen {
    private final Map<KeyValue, Object> positions = new ConcurrentHashMap<>();
    private volatile boolean awaitingFill;

    HashUniqueIndex(String name, List<IndexKey> keys, boolean sparse) {
        super(name, keys, sparse);
    }

    @Override
    protected Object removeDocument(KeyValue keyValue) {
        return positions.remove(keyValue);
    }

    @Override
    protected boolean putKeyPosition(KeyValue keyValue, Object position) {
        // as mongo-java-server's H2 index: a null _id is stored as Missing (the map takes no nulls)
        return positions.putIfAbsent(keyValue, Missing.ofNullable(position)) == null;
    }

    @Override
    protected Iterable<Map.Entry<KeyValue, Object>> getIterable() {
        return positions.entrySet();
    }

    @Override
    protected Object getPosition(KeyValue keyValue) {
        return positions.get(keyValue);
    }

    @Override
    public long getCount() {
        return positions.size();
    }

    @Override
    public boolean isEmpty() {
        return !awaitingFill && positions.isEmpty();
    }

    @Override
    public long getDataSize() {
        return positions.size();
    }

    @Override
    public void fillLater() {
        awaitingFill = true;
    }

    @Override
    public void filled() {
        awaitingFill = false;
    }

    @Override
    public void drop() {
        positions.clear();
        super.drop();
    }
}
