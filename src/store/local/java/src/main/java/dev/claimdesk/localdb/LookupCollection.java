package dev.claimdesk.localdb;

import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.Missing;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.h2.H2Collection;
import de.bwaldvogel.mongo.bson.Document;
import java.util.ArrayList;
import java.util.List;
import org.h2.mvstore.MVMap;

/**
 * A collection whose sorted, limited queries stop early: mongo-java-server reads every document
 * an index hands it, then sorts them all and keeps the first few. Agenda locks each job with a
 * findOneAndUpdate sorted on nextRunAt, so with thousands of jobs of one kind every lock read
 * them all. Here an equality index hands a large bucket's positions already in the query's
 * order ({@link OrderedPositions}), and the collection reads them in that order only until it
 * has skip + limit matches; those go through mongo-java-server's own matching and sorting.
 */
final class LookupCollection extends H2Collection {
    private final MVMap<String, Object> metaMap;
    private final DurableStore durable;

    LookupCollection(MongoDatabase database, String collectionName, CollectionOptions options, MVMap<Object, Document> dataMap, MVMap<String, Object> metaMap, CursorRegistry cursorRegistry, DurableStore durable) {
        super(database, collectionName, options, dataMap, metaMap, cursorRegistry);
        this.metaMap = metaMap;
        this.durable = durable;
    }

    // Every change to the collection's maps goes to the journal, as the map holds it after the change.

    @Override
    protected Object addDocumentInternal(Document document) {
        Object key = super.addDocumentInternal(document);
        durable.put(LookupDatabase.DATA_PREFIX + getFullName(), Missing.ofNullable(key), document);
        return key;
    }

    @Override
    protected void handleUpdate(Object position, Document oldDocument, Document newDocument) {
        super.handleUpdate(position, oldDocument, newDocument);
        durable.put(LookupDatabase.DATA_PREFIX + getFullName(), Missing.ofNullable(position), newDocument);
    }

    @Override
    protected void removeDocument(Object position) {
        super.removeDocument(position);
        durable.remove(LookupDatabase.DATA_PREFIX + getFullName(), position);
    }

    @Override
    protected void updateDataSize(int sizeDelta) {
        // the superclass changes the size under this lock too: the journal gets the sizes in the order they were set
        synchronized (metaMap) {
            super.updateDataSize(sizeDelta);
            durable.put(LookupDatabase.META_PREFIX + getFullName(), LookupDatabase.DATA_SIZE_KEY, metaMap.get(LookupDatabase.DATA_SIZE_KEY));
        }
    }

    @Override
    protected QueryResult queryDocuments(Document query, Document orderBy, int numberToSkip, int limit, int batchSize, Document fieldSelector) {
        if (limit <= 0 || !EqualityIndex.orderable(orderBy)) {
            return super.queryDocuments(query, orderBy, numberToSkip, limit, batchSize, fieldSelector);
        }
        EqualityIndex.SORTED.set(new EqualityIndex.SortRequest(orderBy, this::getDocument));
        try {
            return super.queryDocuments(query, orderBy, numberToSkip, limit, batchSize, fieldSelector);
        } finally {
            EqualityIndex.SORTED.remove();
        }
    }

    @Override
    protected QueryResult matchDocuments(Document query, Iterable<Object> positions, Document orderBy, int numberToSkip, int limit, int batchSize, Document fieldSelector) {
        if (!(positions instanceof EqualityIndex.OrderedPositions ordered) || limit <= 0) {
            return super.matchDocuments(query, positions, orderBy, numberToSkip, limit, batchSize, fieldSelector);
        }
        int wanted = numberToSkip + limit;
        List<Object> first = new ArrayList<>(Math.min(wanted, 64));
        for (Object position : ordered) {
            Document document = getDocument(position);
            if (document != null && documentMatchesQuery(document, query)) {
                first.add(position);
                if (first.size() >= wanted) {
                    break;
                }
            }
        }
        return super.matchDocuments(query, first, orderBy, numberToSkip, limit, batchSize, fieldSelector);
    }
}
