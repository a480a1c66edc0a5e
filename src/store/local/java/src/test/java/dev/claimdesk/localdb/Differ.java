package dev.claimdesk.localdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.MongoBulkWriteException;
import com.mongodb.MongoCommandException;
import com.mongodb.MongoWriteException;
import com.mongodb.bulk.BulkWriteError;
import com.mongodb.client.FindIterable;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.result.DeleteResult;
import com.mongodb.client.result.InsertManyResult;
import com.mongodb.client.result.InsertOneResult;
import com.mongodb.client.result.UpdateResult;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.bson.Document;
import org.bson.conversions.Bson;

/**
 * Runs the same operation on plain mongo-java-server and on the patched one and fails when the
 * answers differ. What MongoDB leaves unspecified is not compared: the order of documents
 * without a sort, the order of documents whose sort values are equal, and which of such equal
 * documents a limit (or skip) cuts off. Everything else is: documents (every field, in order),
 * the sort values in order, counts, matched / modified / upserted / deleted counts, and the codes
 * and messages of refused writes.
 *
 * One exception, after the patched server restarted ({@link #restarted()}): mongo-java-server
 * keeps its index definitions under random UUID keys, so a reopened collection checks its unique
 * indexes in another order, and a write that breaks two of them is refused naming either one.
 * That is mongo-java-server's own behaviour across restarts (with or without the patches); from
 * then on a duplicate-key refusal is compared by its code only.
 */
final class Differ {
    private final TwoServers servers;
    private final String database;
    /** The last operations, for the failure message. */
    private final Deque<String> recent = new ArrayDeque<>();
    private final String label;
    private int step;
    private boolean restarted;

    Differ(TwoServers servers, String database, String label) {
        this.servers = servers;
        this.database = database;
        this.label = label;
    }

    MongoCollection<Document> plain(String collection) {
        return servers.plain(database).getCollection(collection);
    }

    MongoCollection<Document> patched(String collection) {
        return servers.patched(database).getCollection(collection);
    }

    private void note(String what) {
        step++;
        recent.addLast(step + ": " + what);
        if (recent.size() > 12) {
            recent.removeFirst();
        }
    }

    /** The patched server was restarted: duplicate-key refusals are compared by code only (see the class). */
    void restarted() {
        restarted = true;
    }

    String context() {
        return label + ", step " + step + "; last operations:\n  " + String.join("\n  ", recent);
    }

    int steps() {
        return step;
    }

    /** Runs a write (or any operation with one answer) on both sides; the two answers must read the same. Returns the plain answer. */
    String same(String collection, String what, Function<MongoCollection<Document>, Object> operation) {
        note(collection + " " + what);
        String plain = outcome(() -> operation.apply(plain(collection)));
        String patched = outcome(() -> operation.apply(patched(collection)));
        if (restarted) {
            plain = withoutIndexName(plain);
            patched = withoutIndexName(patched);
        }
        assertEquals(plain, patched, () -> "answers differ: " + context());
        return plain;
    }

    /** A find on both sides, compared as described on the class. */
    List<Document> find(String collection, Bson filter, Document sort, int skip, int limit) {
        String what = "find " + json(filter) + (sort != null ? " sort " + sort.toJson() : "") + (skip > 0 ? " skip " + skip : "") + (limit > 0 ? " limit " + limit : "");
        note(collection + " " + what);
        List<Document> plain = run(plain(collection), filter, sort, skip, limit);
        List<Document> patched = run(patched(collection), filter, sort, skip, limit);
        boolean cut = skip > 0 || (limit > 0 && plain.size() == limit);
        List<Document> everything = cut ? run(plain(collection), filter, sort, 0, 0) : plain;
        compareFound(plain, patched, sort, cut, everything);
        return plain;
    }

    private static List<Document> run(MongoCollection<Document> collection, Bson filter, Document sort, int skip, int limit) {
        FindIterable<Document> find = collection.find(filter);
        if (sort != null) {
            find = find.sort(sort);
        }
        return find.skip(skip).limit(limit).into(new ArrayList<>());
    }

    private void compareFound(List<Document> plain, List<Document> patched, Document sort, boolean cut, List<Document> everything) {
        assertEquals(plain.size(), patched.size(), () -> "found " + plain.size() + " vs " + patched.size() + ": " + context());
        if (sort == null) {
            if (cut) {
                List<String> all = jsons(everything);
                for (Document document : patched) {
                    assertTrue(all.contains(document.toJson()), () -> "the patched server found a document the plain one does not: " + document.toJson() + "; " + context());
                }
            } else {
                assertEquals(sorted(jsons(plain)), sorted(jsons(patched)), () -> "different documents: " + context());
            }
            return;
        }
        List<String> plainKeys = new ArrayList<>();
        List<String> patchedKeys = new ArrayList<>();
        for (int i = 0; i < plain.size(); i++) {
            plainKeys.add(sortKey(plain.get(i), sort));
            patchedKeys.add(sortKey(patched.get(i), sort));
        }
        assertEquals(plainKeys, patchedKeys, () -> "different order: " + context());
        // documents with equal sort values: the same ones, in any order (a group cut by skip or limit: members of the whole group)
        int from = 0;
        while (from < plain.size()) {
            int to = from;
            while (to < plain.size() && plainKeys.get(to).equals(plainKeys.get(from))) {
                to++;
            }
            boolean edge = cut && (from == 0 || to == plain.size());
            if (edge) {
                String key = plainKeys.get(from);
                List<String> group = new ArrayList<>();
                for (Document document : everything) {
                    if (sortKey(document, sort).equals(key)) {
                        group.add(document.toJson());
                    }
                }
                for (Document document : patched.subList(from, to)) {
                    assertTrue(group.contains(document.toJson()), () -> "the patched server found a document outside its sort group: " + document.toJson() + "; " + context());
                }
            } else {
                List<String> a = sorted(jsons(plain.subList(from, to)));
                List<String> b = sorted(jsons(patched.subList(from, to)));
                assertEquals(a, b, () -> "different documents with equal sort values: " + context());
            }
            from = to;
        }
    }

    /** The sort values of a document; a missing field sorts as null. */
    static String sortKey(Document document, Document sort) {
        List<Object> values = new ArrayList<>();
        for (String field : sort.keySet()) {
            Object value = document;
            for (String part : field.split("\\.")) {
                value = value instanceof Document nested ? nested.get(part) : null;
            }
            values.add(value);
        }
        return new Document("k", values).toJson();
    }

    long count(String collection, Bson filter) {
        String answer = same(collection, "countDocuments " + json(filter), c -> c.countDocuments(filter));
        return Long.parseLong(answer);
    }

    /**
     * An aggregation, compared document by document in order: the patched server may read fewer
     * documents for it but hands them to the stages in the same (natural) order, so even a $group's
     * order, which MongoDB leaves open, comes out the same.
     */
    void aggregate(String collection, List<Document> pipeline) {
        note(collection + " aggregate " + pipeline);
        List<String> plain = jsons(plain(collection).aggregate(pipeline).into(new ArrayList<>()));
        List<String> patched = jsons(patched(collection).aggregate(pipeline).into(new ArrayList<>()));
        assertEquals(plain, patched, () -> "aggregations differ: " + context());
    }

    /** Every document of a collection, in _id order, on both sides. */
    void sameContents(String collection) {
        note(collection + " whole collection");
        List<String> plain = jsons(plain(collection).find().sort(new Document("_id", 1)).into(new ArrayList<>()));
        List<String> patched = jsons(patched(collection).find().sort(new Document("_id", 1)).into(new ArrayList<>()));
        assertEquals(plain.size(), patched.size(), () -> "collection sizes differ: " + context());
        for (int i = 0; i < plain.size(); i++) {
            int at = i;
            assertEquals(plain.get(i), patched.get(i), () -> "document " + at + " differs: " + context());
        }
        assertEquals(plain(collection).estimatedDocumentCount(), patched(collection).estimatedDocumentCount(), () -> "estimated counts differ: " + context());
    }

    private static List<String> jsons(Collection<Document> documents) {
        List<String> out = new ArrayList<>(documents.size());
        for (Document document : documents) {
            out.add(document.toJson());
        }
        return out;
    }

    private static List<String> sorted(List<String> values) {
        List<String> copy = new ArrayList<>(values);
        copy.sort(null);
        return copy;
    }

    static String json(Bson filter) {
        return filter == null ? "{}" : filter.toBsonDocument().toJson();
    }

    private static String withoutIndexName(String answer) {
        return answer.replaceAll("E11000 duplicate key error collection: [^;]*", "E11000 duplicate key error");
    }

    /** An answer as text: a result's counts, a document, or a refusal's code and message. */
    private static String outcome(java.util.function.Supplier<Object> operation) {
        try {
            return describe(operation.get());
        } catch (MongoBulkWriteException e) {
            StringBuilder text = new StringBuilder("bulk refused, inserted ").append(e.getWriteResult().getInsertedCount());
            for (BulkWriteError error : e.getWriteErrors()) {
                text.append("; at ").append(error.getIndex()).append(" code ").append(error.getCode()).append(": ").append(error.getMessage());
            }
            return text.toString();
        } catch (MongoWriteException e) {
            return "refused, code " + e.getError().getCode() + ": " + e.getError().getMessage();
        } catch (MongoCommandException e) {
            return "command refused, code " + e.getErrorCode() + ": " + e.getErrorMessage();
        }
    }

    private static String describe(Object answer) {
        if (answer == null) {
            return "null";
        }
        if (answer instanceof UpdateResult update) {
            return "matched " + update.getMatchedCount() + ", modified " + update.getModifiedCount() + ", upserted " + update.getUpsertedId();
        }
        if (answer instanceof DeleteResult delete) {
            return "deleted " + delete.getDeletedCount();
        }
        if (answer instanceof InsertOneResult insert) {
            return "inserted " + insert.getInsertedId();
        }
        if (answer instanceof InsertManyResult insert) {
            return "inserted " + insert.getInsertedIds().size();
        }
        if (answer instanceof Document document) {
            return document.toJson();
        }
        return Objects.toString(answer);
    }

}
