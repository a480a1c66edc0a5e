package dev.claimdesk.localdb;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.DocumentWithPosition;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.h2.H2Collection;
import de.bwaldvogel.mongo.bson.Document;
import io.netty.channel.Channel;
import java.lang.reflect.Method;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * mongo-java-server uses an index only when a query names exactly the index's fields, so a
 * compare-and-swap such as {_id, version} read every document of the collection. With this
 * backend a single-field unique index (_id, a claim's number, …) also serves queries that name
 * its field beside others: the index finds the one document with that value and the collection
 * checks the rest of the query on it. Non-unique indexes serve equality lookups (EqualityIndex).
 */
final class LookupBackend extends H2Backend {
    private final DurableStore durable;
    /** The journal of a backend being constructed: the superclass's constructor opens the stored databases before {@link #durable} is set. */
    private static final ThreadLocal<DurableStore> CONSTRUCTING = new ThreadLocal<>();

    private LookupBackend(DurableStore durable) {
        super(durable.memory());
        this.durable = durable;
    }

    /** A backend on {@code durable}'s in-memory store, every change going to its journal. */
    static LookupBackend open(DurableStore durable) {
        CONSTRUCTING.set(durable);
        try {
            return new LookupBackend(durable);
        } finally {
            CONSTRUCTING.remove();
        }
    }

    private DurableStore journal() {
        return durable != null ? durable : CONSTRUCTING.get();
    }

    /**
     * Every command answers only after the changes it (or a request before it) made are synced
     * to the journal: nothing is acknowledged that a kill or a power cut could take back.
     */
    @Override
    public Document handleCommand(Channel channel, String databaseName, String command, Document query) {
        durable.gate.readLock().lock();
        try {
            return super.handleCommand(channel, databaseName, command, query);
        } finally {
            try {
                durable.sync();
            } finally {
                durable.gate.readLock().unlock();
            }
        }
    }

    /**
     * Opens a database, then fills the equality indexes it opened from the stored documents in
     * one read per collection (mongo-java-server would read every collection twice per index:
     * with the claims' 14 indexes, minutes at start-up for a large registry).
     */
    @Override
    protected MongoDatabase openOrCreateDatabase(String databaseName) {
        Map<String, List<FilledOnOpen>> opened = new HashMap<>();
        FilledOnOpen.OPENING.set(opened);
        LookupDatabase database;
        try {
            database = LookupDatabase.open(databaseName, getMvStore(), getCursorRegistry(), journal());
        } finally {
            FilledOnOpen.OPENING.remove();
        }
        opened.forEach((collectionName, indexes) -> fill(database.resolveCollection(collectionName, true), indexes));
        return database;
    }

    private static void fill(MongoCollection<Object> collection, List<FilledOnOpen> indexes) {
        try (Stream<DocumentWithPosition<Object>> documents = allDocuments(collection)) {
            documents.forEach(entry -> {
                for (FilledOnOpen index : indexes) {
                    index.add(entry.getDocument(), entry.getPosition(), collection);
                }
            });
        }
        for (FilledOnOpen index : indexes) {
            index.filled();
        }
    }

    /** Every stored document of a collection with its position, read as a stream (not held in memory at once). */
    @SuppressWarnings("unchecked")
    private static Stream<DocumentWithPosition<Object>> allDocuments(MongoCollection<Object> collection) {
        try {
            Method method = H2Collection.class.getDeclaredMethod("streamAllDocumentsWithPosition");
            method.setAccessible(true);
            return (Stream<DocumentWithPosition<Object>>) method.invoke(collection);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read the documents of " + collection.getCollectionName() + " to fill its indexes", e);
        }
    }
}
