package dev.claimdesk.localdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.CountOptions;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.InsertManyOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.UpdateOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The patches may change speed, never answers: seeded random sequences of writes and queries, and
 * the sequences the store and Agenda really send, run against mongo-java-server as it comes and
 * against ours (hash unique indexes, field lookups, equality indexes, ordered views, the journal),
 * compared answer by answer ({@link Differ}), then again after the patched server restarts from
 * its journal.
 */
class DifferentialTest {
    /** Generated operations per seed, after the initial load. */
    static final int OPERATIONS = 1500;
    /** Documents loaded before them: enough for buckets past the ordered views' threshold (256). */
    static final int LOADED = 700;
    static final long BASE = Date.parse("2026/11/01 00:00:00 UTC");

    @TempDir
    Path folder;

    // ---------------------------------------------------------------- generated

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 7, 23, 2026})
    void generatedSequencesGetTheSameAnswers(long seed) throws Exception {
        try (TwoServers servers = new TwoServers(folder)) {
            Generator generator = new Generator(new Random(seed), new Differ(servers, "gen", "seed " + seed));
            generator.createIndexes();
            generator.load(LOADED);
            for (int i = 0; i < OPERATIONS; i++) {
                generator.randomOperation();
            }
            generator.differ.sameContents(Generator.COLLECTION);

            servers.restartPatched();
            generator.differ.restarted();
            generator.differ.sameContents(Generator.COLLECTION);
            for (int i = 0; i < 150; i++) {
                generator.randomQuery();
            }
            for (int i = 0; i < 150; i++) {
                generator.randomOperation();
            }
            generator.differ.sameContents(Generator.COLLECTION);
            assertTrue(generator.queriesWithResults > 200, "the generated queries found documents " + generator.queriesWithResults + " times");
            assertTrue(generator.refusals > 10, "unique keys refused writes " + generator.refusals + " times");
        }
    }

    /** Random documents, updates and queries over a small value space, so filters match and keys collide. */
    static final class Generator {
        static final String COLLECTION = "items";
        private static final String[] CATS = {"a", "a", "a", "a", "b", "b", "b", "b", "c"};
        private static final String[] STATUSES = {"new", "open", "done", "held"};
        private static final Document[] SORTS = {
            null, null,
            new Document("at", -1).append("_id", -1),
            new Document("at", 1).append("_id", 1),
            new Document("n", 1).append("_id", 1),
            new Document("n", -1),
            new Document("at", 1),
            new Document("number", 1),
            new Document("cat", 1).append("n", -1).append("_id", 1),
            new Document("status", 1).append("at", -1),
        };
        private static final int[] LIMITS = {0, 0, 1, 3, 10, 50};

        final Random random;
        final Differ differ;
        final List<Object> ids = new ArrayList<>();
        final List<String> numbers = new ArrayList<>();
        int serial;
        int queriesWithResults;
        int refusals;

        Generator(Random random, Differ differ) {
            this.random = random;
            this.differ = differ;
        }

        private <T> T pick(T[] values) {
            return values[random.nextInt(values.length)];
        }

        private <T> T pick(List<T> values) {
            return values.get(random.nextInt(values.size()));
        }

        private boolean chance(int percent) {
            return random.nextInt(100) < percent;
        }

        void createIndexes() {
            differ.same(COLLECTION, "indexes", c -> {
                c.createIndex(new Document("number", 1), new IndexOptions().unique(true));
                c.createIndex(new Document("email", 1), new IndexOptions().unique(true).sparse(true));
                c.createIndex(new Document("cat", 1).append("code", 1), new IndexOptions().unique(true));
                c.createIndex(new Document("cat", 1).append("status", 1).append("at", -1).append("_id", -1));
                c.createIndex(new Document("owner", 1).append("at", -1).append("_id", -1));
                c.createIndex(new Document("flag", 1).append("n", 1));
                c.createIndex(new Document("nested.a", 1));
                c.createIndex(new Document("at", -1).append("_id", -1));
                c.createIndex(new Document("tags", 1));
                c.createIndex(new Document("when", 1));
                // listed in no fixed order (mongo-java-server keeps them under random keys): compared as a set
                return c.listIndexes().into(new ArrayList<>()).stream().map(Document::toJson).sorted().toList();
            });
        }

        Object newId() {
            int n = ++serial;
            return switch (random.nextInt(7)) {
                case 0 -> "s-" + n;
                case 1 -> n;
                default -> new ObjectId(String.format("%08x%016x", 0x66000000 + n, (long) n));
            };
        }

        Object owner() {
            int kind = random.nextInt(100);
            if (kind < 75) {
                return "u" + random.nextInt(20);
            }
            if (kind < 82) {
                return List.of("u" + random.nextInt(20), "u" + random.nextInt(20));
            }
            if (kind < 90) {
                return new ObjectId(String.format("%024x", 7 + random.nextInt(5)));
            }
            return kind < 95 ? null : Boolean.TRUE;
        }

        Object at() {
            int kind = random.nextInt(100);
            if (kind < 3) {
                return random.nextInt(50);
            }
            if (kind < 5) {
                return null;
            }
            return new Date(BASE + random.nextInt(90) * 60_000L);
        }

        /** A time that is sometimes an array of times (never sorted on: a sort on arrays is by their least or greatest element). */
        Object when() {
            Object at = at();
            return at instanceof Date && chance(5) ? List.of(at, new Date(BASE + random.nextInt(90) * 60_000L)) : at;
        }

        String number() {
            if (!numbers.isEmpty() && chance(4)) {
                return pick(numbers);
            }
            return String.format("2026-%06d", serial * 3 + random.nextInt(3));
        }

        Document newDocument(Object id) {
            Document document = new Document("_id", id).append("number", number()).append("cat", pick(CATS)).append("status", pick(STATUSES));
            document.append("code", chance(3) ? random.nextInt(40) : 1000 + serial * 7 + random.nextInt(7));
            if (chance(90)) {
                document.append("owner", owner());
            }
            if (chance(95)) {
                document.append("at", at());
            }
            if (chance(60)) {
                document.append("when", when());
            }
            document.append("n", random.nextInt(100));
            if (chance(85)) {
                document.append("flag", chance(50));
            }
            if (chance(70)) {
                document.append("nested", new Document("a", "x" + random.nextInt(5)).append("b", random.nextInt(3)));
            }
            if (chance(25)) {
                document.append("email", "e" + random.nextInt(300) + "@example.org");
            }
            if (chance(30)) {
                document.append("tags", List.of("t" + random.nextInt(6), "t" + random.nextInt(6)));
            }
            document.append("version", 0);
            return document;
        }

        private void track(Document document, String answer) {
            if (answer.startsWith("inserted")) {
                ids.add(document.get("_id"));
                numbers.add(document.getString("number"));
            } else if (answer.contains("refused")) {
                refusals++;
            }
        }

        void load(int count) {
            List<Document> batch = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                batch.add(newDocument(newId()));
                if (batch.size() == 100 || i == count - 1) {
                    List<Document> documents = batch;
                    String answer = differ.same(COLLECTION, "insertMany unordered " + documents.size(), c -> c.insertMany(copies(documents), new InsertManyOptions().ordered(false)));
                    if (answer.startsWith("inserted")) {
                        documents.forEach(d -> track(d, "inserted"));
                    } else {
                        refusals++;
                        // which ones went in: read them back (both sides hold the same, as the next comparison checks)
                        for (Document d : documents) {
                            if (differ.plain(COLLECTION).countDocuments(new Document("_id", d.get("_id"))) == 1) {
                                track(d, "inserted");
                            }
                        }
                    }
                    batch = new ArrayList<>();
                }
            }
            differ.sameContents(COLLECTION);
        }

        private static List<Document> copies(List<Document> documents) {
            List<Document> out = new ArrayList<>();
            for (Document d : documents) {
                out.add(new Document(d));
            }
            return out;
        }

        Object someId() {
            return ids.isEmpty() || chance(3) ? newId() : pick(ids);
        }

        /** One condition on one field (or an $or / $nor of two). */
        Bson condition() {
            return switch (random.nextInt(22)) {
                case 0, 1 -> new Document("cat", pick(CATS));
                case 2 -> new Document("status", pick(STATUSES));
                case 3, 4 -> new Document("owner", owner());
                case 5 -> new Document("flag", chance(50));
                case 6 -> new Document("nested.a", "x" + random.nextInt(6));
                case 7 -> new Document("number", number());
                case 8 -> new Document("_id", someId());
                case 9 -> new Document("tags", "t" + random.nextInt(7));
                case 10 -> new Document("cat", new Document("$in", List.of(pick(CATS), pick(CATS))));
                case 11 -> new Document("status", new Document("$in", List.of(pick(STATUSES), pick(STATUSES))));
                case 12 -> new Document("_id", new Document("$in", List.of(someId(), someId(), someId())));
                case 13 -> {
                    long from = BASE + random.nextInt(90) * 60_000L;
                    long to = from + random.nextInt(30) * 60_000L;
                    String field = chance(50) ? "at" : "when";
                    yield switch (random.nextInt(5)) {
                        case 0 -> new Document(field, new Document("$gt", new Date(from)).append("$lte", new Date(to)));
                        case 1 -> new Document(field, new Document(chance(50) ? "$lte" : "$lt", new Date(to)));
                        case 2 -> new Document(field, new Document(chance(50) ? "$gte" : "$gt", new Date(from)));
                        case 3 -> new Document(field, new Date(from));
                        default -> new Document(field, new Document("$gte", new Date(from)).append("$lt", new Date(to)));
                    };
                }
                case 14 -> new Document("n", new Document(chance(50) ? "$gt" : "$lte", random.nextInt(100)));
                case 15 -> new Document(chance(50) ? "at" : "owner", new Document("$exists", chance(50)));
                case 16 -> new Document(chance(50) ? "owner" : "lockedAt", null);
                case 17 -> new Document("status", new Document("$ne", pick(STATUSES)));
                case 18 -> new Document("$or", List.of(atom(), atom()));
                case 19 -> new Document("$nor", List.of(atom()));
                case 20 -> new Document("email", "e" + random.nextInt(300) + "@example.org");
                default -> new Document("code", random.nextInt(60));
            };
        }

        private Document atom() {
            return (Document) condition();
        }

        /** One to three conditions: as one document when their fields differ, else under $and. */
        Bson filter() {
            int parts = 1 + random.nextInt(3);
            Map<String, Object> merged = new LinkedHashMap<>();
            List<Document> all = new ArrayList<>();
            boolean clash = false;
            for (int i = 0; i < parts; i++) {
                Document part = atom();
                all.add(part);
                for (Map.Entry<String, Object> entry : part.entrySet()) {
                    clash |= merged.put(entry.getKey(), entry.getValue()) != null;
                }
            }
            if (chance(10)) {
                return new Document();
            }
            return clash || chance(15) ? new Document("$and", all) : new Document(merged);
        }

        Document update() {
            Document set = new Document();
            Document unset = new Document();
            Document inc = new Document();
            int changes = 1 + random.nextInt(3);
            for (int i = 0; i < changes; i++) {
                switch (random.nextInt(12)) {
                    case 0 -> set.append("cat", pick(CATS));
                    case 1, 2 -> set.append("status", pick(STATUSES));
                    case 3 -> set.append("owner", owner());
                    case 4 -> set.append(chance(50) ? "at" : "when", chance(50) ? at() : when());
                    case 5 -> set.append("number", number());
                    case 6 -> set.append("email", "e" + random.nextInt(300) + "@example.org");
                    case 7 -> set.append("flag", chance(50));
                    case 8 -> set.append("nested.a", "x" + random.nextInt(5));
                    case 9 -> unset.append(pick(new String[] {"owner", "at", "email", "flag", "tags"}), "");
                    case 10 -> set.append("code", chance(20) ? random.nextInt(40) : 5000 + random.nextInt(100_000));
                    default -> inc.append("n", random.nextInt(5) - 2);
                }
            }
            unset.keySet().removeAll(set.keySet());
            Document update = new Document();
            if (!set.isEmpty()) {
                update.append("$set", set);
            }
            if (!unset.isEmpty()) {
                update.append("$unset", unset);
            }
            if (!inc.isEmpty()) {
                update.append("$inc", inc);
            }
            return update;
        }

        void randomQuery() {
            Bson filter = filter();
            switch (random.nextInt(10)) {
                case 0 -> {
                    if (chance(70)) {
                        differ.count(COLLECTION, filter);
                    } else {
                        CountOptions options = new CountOptions().skip(random.nextInt(30)).limit(chance(50) ? 0 : 1 + random.nextInt(40));
                        differ.same(COLLECTION, "countDocuments " + Differ.json(filter) + " skip " + options.getSkip() + " limit " + options.getLimit(), c -> c.countDocuments(filter, options));
                    }
                }
                case 1 -> differ.aggregate(COLLECTION, switch (random.nextInt(3)) {
                    case 0 -> List.of(new Document("$match", filter), new Document("$group", new Document("_id", "$cat").append("n", new Document("$sum", 1))));
                    case 1 -> List.of(new Document("$match", filter), new Document("$group", new Document("_id", "$owner").append("n", new Document("$sum", 1))),
                        new Document("$match", new Document("n", new Document("$gte", 2))), new Document("$sort", new Document("n", -1)));
                    default -> List.of(new Document("$match", filter), new Document("$project", new Document("number", 1).append("at", 1)), new Document("$limit", 20));
                });
                default -> {
                    Document sort = pick(SORTS);
                    int limit = LIMITS[random.nextInt(LIMITS.length)];
                    int skip = chance(15) ? random.nextInt(3) : 0;
                    if (!differ.find(COLLECTION, filter, sort, skip, limit).isEmpty()) {
                        queriesWithResults++;
                    }
                }
            }
        }

        void randomOperation() {
            int kind = random.nextInt(100);
            if (kind < 35) {
                randomQuery();
            } else if (kind < 45) {
                Document document = newDocument(chance(3) && !ids.isEmpty() ? pick(ids) : newId());
                track(document, differ.same(COLLECTION, "insertOne " + document.toJson(), c -> c.insertOne(new Document(document))));
            } else if (kind < 48) {
                List<Document> documents = new ArrayList<>();
                for (int i = 1 + random.nextInt(4); i > 0; i--) {
                    documents.add(newDocument(newId()));
                }
                String answer = differ.same(COLLECTION, "insertMany ordered " + documents, c -> c.insertMany(copies(documents)));
                int inserted = answer.startsWith("inserted") ? documents.size() : Integer.parseInt(answer.replaceAll("^bulk refused, inserted (\\d+).*$", "$1"));
                if (inserted < documents.size()) {
                    refusals++;
                }
                documents.subList(0, inserted).forEach(d -> track(d, "inserted"));
            } else if (kind < 60) {
                Object id = someId();
                Document update = update();
                count(differ.same(COLLECTION, "updateOne _id " + id + " " + update.toJson(), c -> c.updateOne(new Document("_id", id), update)));
            } else if (kind < 70) {
                compareAndSwap();
            } else if (kind < 74) {
                Bson filter = filter();
                Document update = chance(50) ? new Document("$set", new Document("status", pick(STATUSES))) : new Document("$inc", new Document("n", 1));
                differ.same(COLLECTION, "updateMany " + Differ.json(filter) + " " + update.toJson(), c -> c.updateMany(filter, update));
            } else if (kind < 78) {
                Object id = someId();
                Document replacement = newDocument(id);
                count(differ.same(COLLECTION, "replaceOne " + replacement.toJson(), c -> c.replaceOne(new Document("_id", id), new Document(replacement))));
            } else if (kind < 82) {
                Object id = chance(50) ? someId() : newId();
                Document seed = newDocument(id);
                Document update = new Document("$set", new Document("status", pick(STATUSES)).append("n", random.nextInt(100)))
                    .append("$setOnInsert", new Document("number", seed.get("number")).append("cat", seed.get("cat")).append("code", seed.get("code")).append("version", 0));
                String answer = differ.same(COLLECTION, "upsert " + id + " " + update.toJson(), c -> c.updateOne(new Document("_id", id), update, new UpdateOptions().upsert(true)));
                if (answer.contains("upserted B") || (answer.contains("upserted") && !answer.endsWith("upserted null"))) {
                    ids.add(id);
                    numbers.add((String) seed.get("number"));
                }
                count(answer);
            } else if (kind < 88) {
                lock();
            } else if (kind < 95) {
                Object id = someId();
                differ.same(COLLECTION, "deleteOne " + id, c -> c.deleteOne(new Document("_id", id)));
                ids.remove(id);
            } else {
                Bson filter = new Document("$and", List.of(atom(), atom()));
                differ.same(COLLECTION, "deleteMany " + Differ.json(filter), c -> c.deleteMany(filter));
            }
        }

        private void count(String answer) {
            if (answer.contains("refused")) {
                refusals++;
            }
        }

        /** The store's compare-and-swap: read the version, write only if it is still that one (sometimes a stale one). */
        void compareAndSwap() {
            Object id = someId();
            List<Document> found = differ.find(COLLECTION, new Document("_id", id), null, 0, 0);
            int version = found.isEmpty() ? 0 : found.get(0).getInteger("version");
            int expected = chance(25) ? version - 1 : version;
            Document update = update();
            Document set = (Document) update.computeIfAbsent("$set", k -> new Document());
            set.append("touched", random.nextInt(1000));
            ((Document) update.computeIfAbsent("$inc", k -> new Document())).append("version", 1);
            differ.same(COLLECTION, "CAS " + id + " v" + expected + " " + update.toJson(),
                c -> c.updateOne(new Document("_id", id).append("version", expected), update));
        }

        /** Agenda's lock: the first matching document in a total order, updated and returned. */
        void lock() {
            Bson filter = chance(70) ? new Document("cat", pick(CATS)).append("lockedAt", null) : filter();
            Document sort = chance(50) ? new Document("at", 1).append("_id", 1) : new Document("n", -1).append("at", 1).append("_id", -1);
            Date now = new Date(BASE + random.nextInt(90) * 60_000L);
            Document update = new Document("$set", new Document("lockedAt", now)).append("$inc", new Document("version", 1));
            differ.same(COLLECTION, "findOneAndUpdate " + Differ.json(filter) + " sort " + sort.toJson(),
                c -> c.findOneAndUpdate(filter, update, new FindOneAndUpdateOptions().sort(sort).returnDocument(ReturnDocument.AFTER)));
        }
    }

    // ---------------------------------------------------------------- written by hand

    @Test
    void claimNumberingAndUniqueKeysRefuseTheSameWrites() throws Exception {
        try (TwoServers servers = new TwoServers(folder)) {
            Differ differ = new Differ(servers, "hand", "unique keys");
            differ.same("claims", "indexes", c -> {
                c.createIndex(new Document("number", 1), new IndexOptions().unique(true).name("number_unique"));
                c.createIndex(new Document("idempotencyKey", 1), new IndexOptions().unique(true).name("idempotency_key_unique"));
                return c.listIndexes().into(new ArrayList<>()).size();
            });
            differ.same("claims", "insert 1", c -> c.insertOne(new Document("_id", new ObjectId("650000000000000000000001")).append("number", "2026-000001").append("idempotencyKey", "k1").append("version", 0)));
            String duplicate = differ.same("claims", "same number", c -> c.insertOne(new Document("_id", new ObjectId("650000000000000000000002")).append("number", "2026-000001").append("idempotencyKey", "k2")));
            assertTrue(duplicate.startsWith("refused, code 11000"), duplicate);
            differ.same("claims", "same key", c -> c.insertOne(new Document("_id", new ObjectId("650000000000000000000003")).append("number", "2026-000002").append("idempotencyKey", "k1")));
            differ.same("claims", "same _id", c -> c.insertOne(new Document("_id", new ObjectId("650000000000000000000001")).append("number", "2026-000009")));
            // two documents without the key: a non-sparse unique index refuses the second (both are null)
            differ.same("claims", "no key 1", c -> c.insertOne(new Document("_id", 1).append("number", "2026-000003")));
            differ.same("claims", "no key 2", c -> c.insertOne(new Document("_id", 2).append("number", "2026-000004")));
            differ.same("claims", "update onto a taken number", c -> c.updateOne(new Document("_id", 1), new Document("$set", new Document("number", "2026-000001"))));
            differ.same("claims", "rename a number, then take the old one", c -> c.updateOne(new Document("_id", 1), new Document("$set", new Document("number", "2026-000005"))));
            differ.same("claims", "the old number is free", c -> c.insertOne(new Document("_id", 3).append("number", "2026-000003").append("idempotencyKey", "k3")));
            differ.same("claims", "delete frees its keys", c -> c.deleteOne(new Document("number", "2026-000001")));
            differ.same("claims", "reuse", c -> c.insertOne(new Document("_id", 4).append("number", "2026-000001").append("idempotencyKey", "k1")));
            // the counter's compare-and-swap (src/store/counters.ts): one winner per expected value
            differ.same("counters", "counter", c -> c.insertOne(new Document("_id", "claims-2026").append("seq", 0)));
            for (int round = 0; round < 20; round++) {
                int seen = round;
                String first = differ.same("counters", "cas " + round, c -> c.updateOne(new Document("_id", "claims-2026").append("seq", seen), new Document("$set", new Document("seq", seen + 1))));
                String second = differ.same("counters", "stale cas " + round, c -> c.updateOne(new Document("_id", "claims-2026").append("seq", seen), new Document("$set", new Document("seq", seen + 1))));
                assertEquals("matched 1, modified 1, upserted null", first);
                assertEquals("matched 0, modified 0, upserted null", second);
            }
            differ.sameContents("claims");
            differ.sameContents("counters");
            servers.restartPatched();
            differ.restarted();
            differ.sameContents("claims");
            differ.same("claims", "after restart: same number", c -> c.insertOne(new Document("_id", 9).append("number", "2026-000003").append("idempotencyKey", "k9")));
            differ.same("claims", "after restart: same key", c -> c.insertOne(new Document("_id", 10).append("number", "2026-000010").append("idempotencyKey", "k3")));
            differ.same("claims", "after restart: CAS by _id and version", c -> c.updateOne(new Document("_id", new ObjectId("650000000000000000000001")).append("version", 0), new Document("$inc", new Document("version", 1))));
        }
    }

    @Test
    void updatesThatKeepADocumentsIndexKeysStillMoveItInTheSortedViews() throws Exception {
        try (TwoServers servers = new TwoServers(folder)) {
            Differ differ = new Differ(servers, "hand", "updates under the same keys");
            differ.same("jobs", "indexes", c -> c.createIndex(new Document("name", 1).append("nextRunAt", 1)));
            List<Document> jobs = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                jobs.add(new Document("_id", i).append("name", i % 4 == 0 ? "other" : "notify").append("nextRunAt", new Date(BASE + i * 60_000L)).append("priority", i % 3));
            }
            differ.same("jobs", "load", c -> c.insertMany(copiesOf(jobs)));
            Document due = new Document("name", "notify");
            Document soonest = new Document("nextRunAt", 1).append("priority", -1);
            Random random = new Random(5);
            for (int round = 0; round < 40; round++) {
                // the bucket's sorted view is made (300 jobs), then kept as updates move jobs in its order without changing their keys
                differ.find("jobs", due, soonest, 0, 3);
                differ.find("jobs", due, new Document("priority", 1), 0, 5);
                int id = 1 + 4 * random.nextInt(100) + random.nextInt(3);
                Document update = random.nextBoolean()
                    ? new Document("$set", new Document("nextRunAt", new Date(BASE - random.nextInt(1000) * 60_000L)))
                    : new Document("$inc", new Document("priority", 5 - random.nextInt(11)));
                differ.same("jobs", "update " + id + " " + update.toJson(), c -> c.updateOne(new Document("_id", id), update).getModifiedCount());
            }
            differ.sameContents("jobs");
        }
    }

    @Test
    void theStoreQueriesAndAgendaLocksGetTheSameAnswers() throws Exception {
        try (TwoServers servers = new TwoServers(folder)) {
            Differ differ = new Differ(servers, "hand", "store queries");
            Random random = new Random(42);
            // the claims collection with the store's indexes (src/store/collections.ts)
            differ.same("claims", "indexes", c -> {
                c.createIndex(new Document("number", 1), new IndexOptions().unique(true));
                c.createIndex(new Document("customer.channel", 1).append("customer.userId", 1).append("createdAt", -1).append("_id", -1));
                c.createIndex(new Document("assigneeId", 1).append("status", 1).append("createdAt", -1).append("_id", -1));
                c.createIndex(new Document("status", 1).append("sla.resolutionDueAt", 1));
                c.createIndex(new Document("department", 1).append("status", 1).append("createdAt", -1).append("_id", -1));
                c.createIndex(new Document("createdAt", -1).append("_id", -1));
                c.createIndex(new Document("seq", 1));
                c.createIndex(new Document("concerns.product", 1).append("createdAt", -1).append("_id", -1));
                c.createIndex(new Document("staffSyncPending", 1).append("updatedAt", 1));
                c.createIndex(new Document("slaNextCheckAt", 1));
                return 0;
            });
            String[] statuses = {"new", "in_review", "investigating", "awaiting_customer", "resolved", "closed"};
            String[] open = {"new", "in_review", "investigating", "awaiting_customer"};
            List<Document> claims = new ArrayList<>();
            for (int i = 0; i < 900; i++) {
                Date created = new Date(BASE - (900 - i) * 3_600_000L);
                Document claim = new Document("_id", new ObjectId(String.format("%08x%016x", 0x65000000 + i, (long) i)))
                    .append("number", String.format("2026-%06d", i + 1)).append("seq", i + 1)
                    .append("customer", new Document("channel", i % 5 == 0 ? "slack" : "telegram").append("userId", "c" + (i % 7 == 0 ? 1 : random.nextInt(150))))
                    .append("department", i % 3 == 0 ? "quality" : "service").append("category", "cat" + random.nextInt(4))
                    .append("status", statuses[random.nextInt(statuses.length)]).append("createdAt", created).append("updatedAt", created)
                    .append("sla", new Document("firstResponseDueAt", new Date(created.getTime() + 86_400_000L)).append("resolutionDueAt", new Date(created.getTime() + 7 * 86_400_000L)))
                    .append("concerns", random.nextBoolean() ? new Document("product", "p" + random.nextInt(5)) : new Document())
                    .append("version", 0);
                if (random.nextInt(4) > 0) {
                    claim.append("assigneeId", "staff-" + random.nextInt(6));
                }
                if (random.nextInt(3) == 0) {
                    claim.append("firstResponseAt", new Date(created.getTime() + 3_600_000L));
                }
                if (random.nextInt(5) == 0) {
                    claim.append("staffSyncPending", true);
                }
                if (random.nextInt(4) == 0) {
                    claim.append("slaNextCheckAt", new Date(created.getTime() + 86_400_000L));
                }
                claims.add(claim);
            }
            differ.same("claims", "load", c -> c.insertMany(copiesOf(claims)));
            Date now = new Date(BASE);
            Document newest = new Document("createdAt", -1).append("_id", -1);
            Document overdue = new Document("status", new Document("$in", List.of(open)))
                .append("$or", List.of(new Document("sla.resolutionDueAt", new Document("$lt", now)),
                    new Document("firstResponseAt", new Document("$exists", false)).append("sla.firstResponseDueAt", new Document("$lt", now))));
            Document month = new Document("createdAt", new Document("$gte", new Date(BASE - 30L * 86_400_000L)).append("$lt", new Date(BASE)));
            for (int round = 0; round < 3; round++) {
                // a customer's claims (/status), the heavy one and a typical one
                for (String user : List.of("c1", "c17", "c99")) {
                    differ.find("claims", new Document("customer.channel", "telegram").append("customer.userId", user), newest, 0, 10);
                    differ.find("claims", new Document("number", "2026-000015").append("customer.channel", "telegram").append("customer.userId", user), null, 0, 0);
                }
                // a staff member's open claims (Slack "mine"), the console's list with its total, its pages
                differ.find("claims", new Document("assigneeId", "staff-1").append("status", new Document("$in", List.of(open))), newest, 0, 50);
                differ.count("claims", new Document("assigneeId", "staff-1").append("status", new Document("$in", List.of(open))));
                differ.find("claims", new Document(), newest, 0, 50);
                differ.find("claims", new Document(), newest, 50, 50);
                differ.count("claims", new Document());
                differ.find("claims", new Document("department", "quality").append("status", "new"), newest, 0, 50);
                differ.find("claims", new Document("$and", List.of(new Document("department", "quality"), overdue)), newest, 0, 50);
                differ.find("claims", new Document("$nor", List.of(overdue)), newest, 0, 20);
                differ.find("claims", month, new Document("createdAt", 1).append("_id", 1), 0, 0);
                differ.count("claims", new Document("$and", List.of(month, overdue)));
                differ.find("claims", new Document("seq", 77), null, 0, 0);
                differ.find("claims", new Document("concerns.product", "p2"), newest, 0, 50);
                differ.aggregate("claims", List.of(new Document("$match", month),
                    new Document("$group", new Document("_id", new Document("ch", "$customer.channel").append("u", "$customer.userId")).append("n", new Document("$sum", 1))),
                    new Document("$match", new Document("n", new Document("$gte", 2)))));
                // the sweeps
                differ.find("claims", new Document("slaNextCheckAt", new Document("$lte", now)), new Document("slaNextCheckAt", 1), 0, 20);
                differ.find("claims", new Document("staffSyncPending", true).append("updatedAt", new Document("$lt", now)), null, 0, 0);
                // claim changes by compare-and-swap on version (src/store/claims.ts), some stale
                for (int i = 0; i < 40; i++) {
                    Document claim = claims.get(random.nextInt(claims.size()));
                    Object id = claim.get("_id");
                    int version = differ.find("claims", new Document("_id", id), null, 0, 0).get(0).getInteger("version");
                    int expected = random.nextInt(5) == 0 ? version + 1 : version;
                    Document update = new Document("$set", new Document("status", statuses[random.nextInt(statuses.length)]).append("assigneeId", "staff-" + random.nextInt(6)).append("updatedAt", new Date(BASE + i)))
                        .append("$inc", new Document("version", 1));
                    if (random.nextBoolean()) {
                        update.append("$unset", new Document("staffSyncPending", ""));
                    }
                    differ.same("claims", "claim CAS", c -> c.updateOne(new Document("_id", id).append("version", expected), update));
                }
            }

            // Agenda: jobs of a few kinds; the lock query sorted on nextRunAt (distinct times) then priority
            differ.same("agendaJobs", "index", c -> c.createIndex(new Document("name", 1).append("data.claimId", 1)));
            List<Document> jobs = new ArrayList<>();
            for (int i = 0; i < 700; i++) {
                jobs.add(new Document("_id", new ObjectId(String.format("%08x%016x", 0x64000000 + i, (long) i)))
                    .append("name", i % 10 == 0 ? "sla-check" : "notify-customer").append("data", new Document("claimId", "claim-" + i))
                    .append("priority", random.nextInt(3) * 10 - 10).append("nextRunAt", new Date(BASE - 600_000L + i * 997L + random.nextInt(900)))
                    .append("lockedAt", null).append("disabled", i % 50 == 7).append("type", "normal"));
            }
            differ.same("agendaJobs", "load", c -> c.insertMany(copiesOf(jobs)));
            Document agendaSort = new Document("nextRunAt", 1).append("priority", -1);
            for (int i = 0; i < 120; i++) {
                Date at = new Date(BASE + i * 1000L);
                Document lockQuery = new Document("name", i % 4 == 0 ? "sla-check" : "notify-customer").append("disabled", new Document("$ne", true))
                    .append("$or", List.of(new Document("lockedAt", new Document("$eq", null)).append("nextRunAt", new Document("$lte", at)),
                        new Document("lockedAt", new Document("$lte", new Date(at.getTime() - 600_000L)))));
                String locked = differ.same("agendaJobs", "lock " + i, c -> c.findOneAndUpdate(lockQuery,
                    new Document("$set", new Document("lockedAt", at).append("lastModifiedBy", null)),
                    new FindOneAndUpdateOptions().sort(agendaSort).returnDocument(ReturnDocument.AFTER)));
                int finished = i;
                if (!"null".equals(locked) && i % 3 == 0) {
                    Document job = Document.parse(locked);
                    // done: Agenda moves nextRunAt and unlocks (a recurring job), or deletes it
                    differ.same("agendaJobs", "finish " + i, c -> c.updateOne(new Document("_id", job.getObjectId("_id")).append("nextRunAt", new Document("$ne", null)),
                        new Document("$unset", new Document("lockedAt", true)).append("$set", new Document("nextRunAt", new Date(BASE + 3_600_000L + 1000L * jobs.size() + finished)))));
                }
                differ.find("agendaJobs", new Document("name", "notify-customer").append("data.claimId", "claim-" + (i * 5)), null, 0, 0);
            }
            differ.same("agendaJobs", "unlock all", c -> c.updateMany(new Document("_id", new Document("$in", List.of(jobs.get(1).get("_id"), jobs.get(2).get("_id")))), new Document("$unset", new Document("lockedAt", true))));

            differ.sameContents("claims");
            differ.sameContents("agendaJobs");
            servers.restartPatched();
            differ.restarted();
            differ.sameContents("claims");
            differ.sameContents("agendaJobs");
            differ.find("claims", new Document("customer.channel", "telegram").append("customer.userId", "c1"), newest, 0, 10);
            differ.find("agendaJobs", new Document("name", "notify-customer").append("lockedAt", null), agendaSort, 0, 1);
        }
    }

    private static List<Document> copiesOf(List<Document> documents) {
        List<Document> out = new ArrayList<>();
        for (Document d : documents) {
            out.add(new Document(d));
        }
        return out;
    }
}
