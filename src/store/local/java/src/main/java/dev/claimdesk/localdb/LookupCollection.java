package dev.claimdesk.localdb;

import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.Missing;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.h2.H2Collection;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.backend.DocumentWithPosition;
import de.bwaldvogel.mongo.backend.Index;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.h2.mvstore.MVMap;

/**
 * A collection that reads fewer documents for the same answers.
 * <ul>
 * <li>Of the indexes that take a query, it uses the one that hands over the fewest documents
 * (mongo-java-server takes the first in creation order).</li>
 * <li>Sorted, limited queries stop early: mongo-java-server reads every document an index hands
 * it (or the whole collection), sorts them all and keeps the first few. Agenda locks each job with
 * a findOneAndUpdate sorted on nextRunAt, so with thousands of jobs of one kind every lock read
 * them all; the console's first page sorted the whole register. Here an equality index hands a
 * large bucket's positions already in the query's order, and a query no index takes gets the
 * whole collection in its order ({@link OrderedView}, made on first use, at most
 * {@value #MAX_WHOLE_VIEWS} orders, kept current with every write); the collection reads them in
 * that order only until it has skip + limit matches, which go through mongo-java-server's own
 * matching and sorting.</li>
 * </ul>
 * Every document handed over is checked against the whole query, as before.
 */
final class LookupCollection extends H2Collection {
    private final MVMap<String, Object> metaMap;
    private final DurableStore durable;
    /** Sort orders at most kept of the whole collection (each holds every document's sort values). */
    static final int MAX_WHOLE_VIEWS = 4;
    /** The whole collection in a sort order, by the order; least recently used first. */
    private final LinkedHashMap<String, OrderedView> wholeViews = new LinkedHashMap<>(8, 0.75f, true);
    /**
     * The documents by position, as the data map holds them. The H2 map compares keys by
     * Java-serialising them, so each document an index hands over cost a dozen serialised _ids to
     * find (~80 µs: a report's 40 lookups of a month's claims took seconds); a hash map does not.
     * Filled as documents are read; every write changes the data map first, then this.
     */
    private final Map<Object, Document> byPosition = new ConcurrentHashMap<>();

    LookupCollection(MongoDatabase database, String collectionName, CollectionOptions options, MVMap<Object, Document> dataMap, MVMap<String, Object> metaMap, CursorRegistry cursorRegistry, DurableStore durable) {
        super(database, collectionName, options, dataMap, metaMap, cursorRegistry);
        this.metaMap = metaMap;
        this.durable = durable;
    }

    // Every change to the collection's maps goes to the journal, as the map holds it after the change.
    // A document is stored with its field names shared (SharedKeys): an equal copy, a third of the memory.

    @Override
    protected Object addDocumentInternal(Document document) {
        Document stored = SharedKeys.of(document);
        Object key = super.addDocumentInternal(stored);
        durable.put(LookupDatabase.DATA_PREFIX + getFullName(), Missing.ofNullable(key), stored);
        byPosition.put(Missing.ofNullable(key), stored);
        keepInOrder(Missing.ofNullable(key), stored);
        return key;
    }

    @Override
    protected void handleUpdate(Object position, Document oldDocument, Document newDocument) {
        Document stored = SharedKeys.of(newDocument);
        super.handleUpdate(position, oldDocument, stored);
        durable.put(LookupDatabase.DATA_PREFIX + getFullName(), Missing.ofNullable(position), stored);
        byPosition.put(Missing.ofNullable(position), stored);
        keepInOrder(Missing.ofNullable(position), stored);
    }

    @Override
    protected void removeDocument(Object position) {
        super.removeDocument(position);
        durable.remove(LookupDatabase.DATA_PREFIX + getFullName(), position);
        byPosition.remove(Missing.ofNullable(position));
        keepInOrder(position, null);
    }

    @Override
    protected void updateDataSize(int sizeDelta) {
        // the superclass changes the size under this lock too: the journal gets the sizes in the order they were set
        synchronized (metaMap) {
            // a write racing a drop of its collection (dropDatabase while jobs write) finds the size
            // gone with the dropped map: it starts again from 0, as the recreated collection does
            metaMap.putIfAbsent(LookupDatabase.DATA_SIZE_KEY, Long.valueOf(0));
            super.updateDataSize(sizeDelta);
            durable.put(LookupDatabase.META_PREFIX + getFullName(), LookupDatabase.DATA_SIZE_KEY, metaMap.get(LookupDatabase.DATA_SIZE_KEY));
        }
    }

    /** A document by its position: from the hash map, else from the data map (atomically with the writes that change this position). */
    @Override
    protected Document getDocument(Object position) {
        return byPosition.computeIfAbsent(Missing.ofNullable(position), super::getDocument);
    }

    /** An aggregation over this collection that only needs these positions (its first stage is a $match they cover). */
    record Narrowing(LookupCollection collection, Set<Object> positions) {
    }

    /** Set by {@link LookupDatabase} while such an aggregation runs; used once. */
    static final ThreadLocal<Narrowing> NARROWED = new ThreadLocal<>();

    /**
     * What an aggregation reads: every document, in the collection's natural order. While an
     * aggregation that starts with a $match runs, the documents no index hands over for that
     * $match are left out (they cannot pass it); the rest come in the same natural order, so
     * every stage after the $match sees exactly what it would have seen.
     */
    @Override
    public Stream<Document> queryAllAsStream() {
        Narrowing narrowing = NARROWED.get();
        if (narrowing == null || narrowing.collection() != this) {
            return super.queryAllAsStream();
        }
        NARROWED.remove();
        return streamAllDocumentsWithPosition()
            .filter(entry -> narrowing.positions().contains(entry.getPosition()))
            .map(DocumentWithPosition::getDocument);
    }

    /** The positions an index hands over for the query (a superset of its matches), or null when no index takes it. */
    Set<Object> candidates(Document query) {
        Index<Object> index = fewestPositions(query);
        if (index == null) {
            return null;
        }
        Set<Object> positions = new HashSet<>();
        index.getPositions(query).forEach(positions::add);
        return positions;
    }

    /** A document came (or changed: {@code document} is its new version) or went ({@code document} null): the whole-collection orders follow. */
    private void keepInOrder(Object position, Document document) {
        synchronized (wholeViews) {
            for (OrderedView view : wholeViews.values()) {
                if (document == null) {
                    view.remove(position);
                } else {
                    view.put(document, position);
                }
            }
        }
    }

    @Override
    protected QueryResult queryDocuments(Document query, Document orderBy, int numberToSkip, int limit, int batchSize, Document fieldSelector) {
        boolean sortedAndLimited = limit > 0 && EqualityIndex.orderable(orderBy);
        Index<Object> index = fewestPositions(query);
        if (index == null) {
            EqualityIndex.OrderedPositions ordered = sortedAndLimited ? inOrder(orderBy) : null;
            return ordered != null
                ? matchDocuments(query, ordered, orderBy, numberToSkip, limit, batchSize, fieldSelector)
                : matchDocuments(query, orderBy, numberToSkip, limit, batchSize, fieldSelector);
        }
        if (!sortedAndLimited) {
            return matchDocuments(query, index.getPositions(query), orderBy, numberToSkip, limit, batchSize, fieldSelector);
        }
        Iterable<Object> positions;
        EqualityIndex.SORTED.set(new EqualityIndex.SortRequest(orderBy, this::getDocument));
        try {
            positions = index.getPositions(query);
        } finally {
            EqualityIndex.SORTED.remove();
        }
        return matchDocuments(query, positions, orderBy, numberToSkip, limit, batchSize, fieldSelector);
    }

    /**
     * Of the indexes that take the query, the one that hands over the fewest positions (the first of
     * equals); null when none does. One that hands over at most one position is taken at once (a
     * unique index on a value the query names, as every compare-and-swap by _id): no other can
     * narrow the reading further, and asking the collection's other indexes cost more than reading
     * the one document.
     */
    private Index<Object> fewestPositions(Document query) {
        Index<Object> best = null;
        long fewest = Long.MAX_VALUE;
        for (Index<Object> index : getIndexes()) {
            if (!index.canHandle(query)) {
                continue;
            }
            long positions = index instanceof EqualityIndex equality ? equality.estimate(query, fewest) : uniqueEstimate(index, query);
            if (best == null || positions < fewest) {
                best = index;
                fewest = positions;
                if (fewest <= 1) {
                    break;
                }
            }
        }
        return best;
    }

    /** A unique index hands over one position per value the query names: one, or one per $in value; a range of keys, up to all. */
    private long uniqueEstimate(Index<Object> index, Document query) {
        if (index.getKeys().size() != 1) {
            return 1;
        }
        Object condition = query.get(index.getKeys().get(0).getKey());
        if (condition instanceof Document operators && !operators.isEmpty() && operators.keySet().iterator().next().startsWith("$")) {
            return operators.size() == 1 && operators.get("$in") instanceof Collection<?> values ? values.size() : count();
        }
        return 1;
    }

    /** The whole collection in the sort's order (made on first use if the collection is large), or null when it cannot be kept. */
    private EqualityIndex.OrderedPositions inOrder(Document orderBy) {
        synchronized (wholeViews) {
            String key = orderBy.toString();
            OrderedView view = wholeViews.get(key);
            if (view == null) {
                if (count() < EqualityIndex.MIN_ORDERED) {
                    return null;
                }
                if (wholeViews.size() >= MAX_WHOLE_VIEWS) {
                    wholeViews.remove(wholeViews.keySet().iterator().next());
                }
                OrderedView made = new OrderedView("", orderBy);
                try (Stream<DocumentWithPosition<Object>> documents = streamAllDocumentsWithPosition()) {
                    documents.forEach(entry -> made.put(entry.getDocument(), entry.getPosition()));
                }
                wholeViews.put(key, made);
                view = made;
            }
            return view.unusable ? null : view.positions();
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
