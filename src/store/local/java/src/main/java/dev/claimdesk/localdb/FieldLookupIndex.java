package dev.claimdesk.localdb;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.exception.KeyConstraintError;
import java.util.List;
import java.util.Set;

/** A single-field unique index as mongo-java-server makes it, also taking queries that name its field and more. */
final class FieldLookupIndex extends Index<Object> {
    private final Index<Object> inner;
    private final String field;

    FieldLookupIndex(Index<Object> inner, List<IndexKey> keys, boolean sparse) {
        super(inner.getName(), keys, sparse);
        this.inner = inner;
        this.field = keys.get(0).getKey();
    }

    private Document fieldOnly(Document query) {
        return new Document(field, query.get(field));
    }

    @Override
    public boolean canHandle(Document query) {
        return inner.canHandle(query) || (query.containsKey(field) && inner.canHandle(fieldOnly(query)));
    }

    @Override
    public Iterable<Object> getPositions(Document query) {
        // a superset of the matches: the collection checks every other condition of the query
        return inner.canHandle(query) ? inner.getPositions(query) : inner.getPositions(fieldOnly(query));
    }

    @Override
    public Object getPosition(Document document) {
        return inner.getPosition(document);
    }

    @Override
    public void checkAdd(Document document, MongoCollection<Object> collection) {
        inner.checkAdd(document, collection);
    }

    @Override
    public void add(Document document, Object position, MongoCollection<Object> collection) {
        inner.add(document, position, collection);
    }

    @Override
    public Object remove(Document document) {
        return inner.remove(document);
    }

    @Override
    public long getCount() {
        return inner.getCount();
    }

    @Override
    public boolean isEmpty() {
        return inner.isEmpty();
    }

    @Override
    public long getDataSize() {
        return inner.getDataSize();
    }

    @Override
    public void checkUpdate(Document oldDocument, Document newDocument, MongoCollection<Object> collection) {
        inner.checkUpdate(oldDocument, newDocument, collection);
    }

    @Override
    public void updateInPlace(Document oldDocument, Document newDocument, Object position, MongoCollection<Object> collection) throws KeyConstraintError {
        inner.updateInPlace(oldDocument, newDocument, position, collection);
    }

    @Override
    public void drop() {
        inner.drop();
    }

    @Override
    public boolean isUnique() {
        return inner.isUnique();
    }

    @Override
    public boolean hasSameOptions(Index<?> other) {
        return inner.hasSameOptions(other instanceof FieldLookupIndex lookup ? lookup.inner : other);
    }

    @Override
    public Set<KeyValue> getKeyValues(Document document) {
        return inner.getKeyValues(document);
    }

    @Override
    public Document toIndexDescription() {
        return inner.toIndexDescription();
    }
}
