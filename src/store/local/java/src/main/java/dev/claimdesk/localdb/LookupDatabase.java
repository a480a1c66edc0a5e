package dev.claimdesk.localdb;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.h2.H2Database;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.backend.DatabaseResolver;
import de.bwaldvogel.mongo.oplog.Oplog;
import io.netty.channel.Channel;
import java.lang.reflect.Field;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

/**
 * A database of the H2 backend whose collections are {@link LookupCollection}s, whose unique
 * indexes are hash maps in memory ({@link HashUniqueIndex}, single-field ones wrapped in
 * {@link FieldLookupIndex}) and whose other indexes serve equality ({@link EqualityIndex}); drops
 * and renames of its maps go to the journal.
 */
final class LookupDatabase extends H2Database {
    /** mongo-java-server's H2 backend keeps a collection's documents and its size in these maps. */
    static final String DATA_PREFIX = "databases.";
    static final String META_PREFIX = "meta.";
    static final String DATA_SIZE_KEY = "dataSize";

    /** Each collection's equality indexes, so a query goes to the one that narrows it most. */
    private Map<String, List<EqualityIndex>> equalityIndexes;

    private final DurableStore durable;
    /** The journal of a database being constructed (the superclass's constructor opens its collections before {@link #durable} is set). */
    private static final ThreadLocal<DurableStore> CONSTRUCTING = new ThreadLocal<>();

    private LookupDatabase(String databaseName, MVStore store, CursorRegistry cursorRegistry, DurableStore durable) {
        super(databaseName, store, cursorRegistry);
        this.durable = durable;
    }

    /** Opens a database whose changes go to {@code durable}'s journal. */
    static LookupDatabase open(String databaseName, MVStore store, CursorRegistry cursorRegistry, DurableStore durable) {
        CONSTRUCTING.set(durable);
        try {
            return new LookupDatabase(databaseName, store, cursorRegistry, durable);
        } finally {
            CONSTRUCTING.remove();
        }
    }

    private DurableStore journal() {
        return durable != null ? durable : CONSTRUCTING.get();
    }

    /** As H2Database opens a collection (the same two maps), as a {@link LookupCollection}. */
    @Override
    protected MongoCollection<Object> openOrCreateCollection(String collectionName, CollectionOptions options) {
        // called by the superclass's constructor too, before this class's fields are set: the store comes from H2Database
        MVStore store = storeOf(this);
        String fullName = getFullCollectionNamespace(collectionName);
        MVMap<Object, Document> dataMap = store.openMap(DATA_PREFIX + fullName);
        MVMap<String, Object> metaMap = store.openMap(META_PREFIX + fullName);
        return new LookupCollection(this, collectionName, options, dataMap, metaMap, cursorRegistry, journal());
    }

    /** Stages that only read the documents handed to them (no other collection, no writes): an aggregation of these may be narrowed. */
    private static final Set<String> NARROWABLE_STAGES = Set.of("$match", "$group", "$sort", "$limit", "$skip", "$project", "$unwind", "$count",
        "$addFields", "$set", "$unset", "$replaceRoot", "$replaceWith", "$sortByCount", "$bucket");

    /**
     * Aggregations read every document of the collection in mongo-java-server (a report's
     * {@code $match} on a month still read every claim). Here:
     * <ul>
     * <li>a driver's countDocuments (a $match and a counting $group) is answered as a count through
     * the collection's indexes ({@link CountPipeline});</li>
     * <li>an aggregation of reading stages whose first stage is a $match an index takes reads only
     * the documents that index hands over, in the collection's natural order
     * ({@link LookupCollection#queryAllAsStream}); mongo-java-server runs every stage as before.</li>
     * </ul>
     * Every other command runs as before.
     */
    @Override
    public Document handleCommand(Channel channel, String command, Document query, DatabaseResolver databaseResolver, Oplog oplog) {
        if (command.equalsIgnoreCase("aggregate") && query.get(command) instanceof String collectionName && query.get("cursor") instanceof Document
            && query.get("explain") == null && resolveCollection(collectionName, false) instanceof LookupCollection collection) {
            CountPipeline count = CountPipeline.of(query.get("pipeline"));
            if (count != null) {
                clearLastStatus(channel);
                Document batch = new Document("id", 0L).append("ns", getFullCollectionNamespace(collectionName)).append("firstBatch", count.answer(collection));
                return new Document("cursor", batch).append("ok", 1.0);
            }
            Document match = narrowableMatch(query.get("pipeline"));
            Set<Object> candidates = match == null ? null : collection.candidates(match);
            if (candidates != null) {
                LookupCollection.NARROWED.set(new LookupCollection.Narrowing(collection, candidates));
                try {
                    return super.handleCommand(channel, command, query, databaseResolver, oplog);
                } finally {
                    LookupCollection.NARROWED.remove();
                }
            }
        }
        return super.handleCommand(channel, command, query, databaseResolver, oplog);
    }

    /** The first stage's $match when the pipeline starts with one and has only reading stages; else null. */
    private static Document narrowableMatch(Object pipeline) {
        if (!(pipeline instanceof List<?> stages) || stages.isEmpty()) {
            return null;
        }
        for (Object stage : stages) {
            if (!(stage instanceof Document step) || step.size() != 1 || !NARROWABLE_STAGES.contains(step.keySet().iterator().next())) {
                return null;
            }
        }
        return ((Document) stages.get(0)).get("$match") instanceof Document match ? match : null;
    }

    @Override
    public void dropCollection(String collectionName, Oplog oplog) {
        super.dropCollection(collectionName, oplog);
        String fullName = getFullCollectionNamespace(collectionName);
        journal().drop(DATA_PREFIX + fullName);
        journal().drop(META_PREFIX + fullName);
    }

    @Override
    public void drop(Oplog oplog) {
        MVStore store = storeOf(this);
        List<String> maps = store.getMapNames().stream()
            .filter(name -> name.startsWith(DATA_PREFIX + getDatabaseName() + ".") || name.startsWith(META_PREFIX + getDatabaseName() + "."))
            .toList();
        super.drop(oplog);
        maps.forEach(journal()::drop);
    }

    @Override
    public void moveCollection(MongoDatabase oldDatabase, MongoCollection<?> collection, String newCollectionName) {
        String oldName = collection.getFullName();
        super.moveCollection(oldDatabase, collection, newCollectionName);
        String newName = getFullCollectionNamespace(newCollectionName);
        journal().rename(DATA_PREFIX + oldName, DATA_PREFIX + newName);
        journal().rename(META_PREFIX + oldName, META_PREFIX + newName);
    }

    private static MVStore storeOf(H2Database database) {
        try {
            Field field = H2Database.class.getDeclaredField("mvStore");
            field.setAccessible(true);
            return (MVStore) field.get(database);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot reach the store of database " + database.getDatabaseName(), e);
        }
    }

    /**
     * A unique index as a hash map in memory ({@link HashUniqueIndex}) instead of
     * mongo-java-server's H2 map, whose keys H2 compares by Java-serialising both sides:
     * every _id lookup serialised a dozen keys, about a third of the server's time under load.
     * It is rebuilt from the documents when the server starts.
     */
    @Override
    protected Index<Object> openOrCreateUniqueIndex(String collectionName, String indexName, List<IndexKey> keys, boolean sparse) {
        HashUniqueIndex index = new HashUniqueIndex(indexName, keys, sparse);
        FilledOnOpen.fillWithDatabase(collectionName, index);
        return keys.size() == 1 ? new FieldLookupIndex(index, keys, sparse) : index;
    }

    @Override
    protected Index<Object> openOrCreateSecondaryIndex(String collectionName, String indexName, List<IndexKey> keys, boolean sparse) {
        // no initialiser: the superclass's constructor opens the stored indexes before this class's fields would be set
        if (equalityIndexes == null) {
            equalityIndexes = new ConcurrentHashMap<>();
        }
        List<EqualityIndex> siblings = equalityIndexes.computeIfAbsent(collectionName, name -> new CopyOnWriteArrayList<>());
        EqualityIndex index = new EqualityIndex(indexName, keys, sparse, siblings);
        siblings.add(index);
        FilledOnOpen.fillWithDatabase(collectionName, index);
        return index;
    }
}
