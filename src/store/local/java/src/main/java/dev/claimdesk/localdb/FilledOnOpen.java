package dev.claimdesk.localdb;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.bson.Document;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An index kept in memory only: a stored collection's is filled from its documents when its
 * database opens, in one read for all of the collection's indexes. Until then it reports
 * itself not empty, so the collection does not read every document for it alone.
 */
interface FilledOnOpen {
    /** While a database is being opened: the indexes it opened, by collection (filled once it is open). */
    ThreadLocal<Map<String, List<FilledOnOpen>>> OPENING = new ThreadLocal<>();

    void add(Document document, Object position, MongoCollection<Object> collection);

    void fillLater();

    void filled();

    /** Files an index opened with its database for the one read that fills them all. */
    static void fillWithDatabase(String collectionName, FilledOnOpen index) {
        Map<String, List<FilledOnOpen>> opening = OPENING.get();
        if (opening != null) {
            index.fillLater();
            opening.computeIfAbsent(collectionName, name -> new ArrayList<>()).add(index);
        }
    }
}
