package dev.claimdesk.localdb;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.bson.Document;
import java.util.List;

/**
 * The pipeline a driver's {@code countDocuments} sends, answered as the count command is.
 *
 * <p>{@code countDocuments(filter)} is an aggregation: {@code [{$match: filter}, ({$skip: n}),
 * ({$limit: n}), {$group: {_id: 1, n: {$sum: 1}}}]}. mongo-java-server runs every aggregation over
 * the whole collection, matching each document in memory, so the console's total read every
 * claim. The same count through the collection's {@code count(query, skip, limit)} uses its
 * indexes, and an empty filter costs nothing. The answer is the one the aggregation gives: one
 * document {@code {_id: <the constant>, <name>: <count>}}, or none when nothing matches.
 */
final class CountPipeline {
    private final Document match;
    private final int skip;
    private final int limit;
    private final Object groupId;
    private final String countName;

    private CountPipeline(Document match, int skip, int limit, Object groupId, String countName) {
        this.match = match;
        this.skip = skip;
        this.limit = limit;
        this.groupId = groupId;
        this.countName = countName;
    }

    /** The pipeline as a count, or null when it is anything else (it then runs as mongo-java-server runs it). */
    static CountPipeline of(Object pipeline) {
        if (!(pipeline instanceof List<?> stages) || stages.size() < 2 || stages.size() > 4) {
            return null;
        }
        Document match = stage(stages.get(0), "$match");
        Document group = stage(stages.get(stages.size() - 1), "$group");
        if (match == null || group == null || !isCount(group)) {
            return null;
        }
        int skip = 0;
        int limit = 0;
        for (Object middle : stages.subList(1, stages.size() - 1)) {
            if (middle instanceof Document step && step.size() == 1 && whole(step.get("$skip")) >= 0 && skip == 0 && limit == 0) {
                skip = whole(step.get("$skip"));
            } else if (middle instanceof Document step && step.size() == 1 && whole(step.get("$limit")) > 0 && limit == 0) {
                limit = whole(step.get("$limit"));
            } else {
                return null;
            }
        }
        String name = group.keySet().stream().filter(key -> !key.equals("_id")).findFirst().orElseThrow();
        return new CountPipeline(match, skip, limit, group.get("_id"), name);
    }

    /** A $skip's or $limit's number (drivers send an int or a long), or -1 when it is none or too large. */
    private static int whole(Object value) {
        if ((value instanceof Integer || value instanceof Long) && ((Number) value).longValue() >= 0 && ((Number) value).longValue() <= Integer.MAX_VALUE) {
            return ((Number) value).intValue();
        }
        return -1;
    }

    private static Document stage(Object stage, String name) {
        return stage instanceof Document document && document.size() == 1 && document.get(name) instanceof Document body ? body : null;
    }

    /** {@code {_id: <a number>, <name>: {$sum: 1}}}: one group over all documents, counting them. */
    private static boolean isCount(Document group) {
        if (group.size() != 2 || !(group.get("_id") instanceof Integer)) {
            return false;
        }
        for (String key : group.keySet()) {
            if (!key.equals("_id")) {
                if (key.startsWith("$") || key.contains(".") || !(group.get(key) instanceof Document sum) || sum.size() != 1 || !Integer.valueOf(1).equals(sum.get("$sum"))) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The aggregation's result documents for this collection. */
    List<Document> answer(MongoCollection<?> collection) {
        // $skip before $limit, as the stages run; count() takes them in that order too
        int counted = collection.count(match, skip, limit);
        return counted == 0 ? List.of() : List.of(new Document("_id", groupId).append(countName, counted));
    }
}
