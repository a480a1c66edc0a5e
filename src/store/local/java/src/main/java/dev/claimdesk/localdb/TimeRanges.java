package dev.claimdesk.localdb;

import de.bwaldvogel.mongo.backend.Utils;
import de.bwaldvogel.mongo.bson.Document;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;

/**
 * The documents of an index's first field by time, so a range of dates on that field (the
 * console's month, a report's period, the sweeps' "due before now") reads only the documents in
 * the range instead of the whole collection.
 *
 * mongo-java-server compares a range's bound only with values of the same class (a date with a
 * date), and an array matches when one of its elements does. So a document whose field holds a
 * date is filed under it; one whose field holds an array (or runs through one) is handed to every
 * range query; any other (missing, null, a string, a number) can never match a range of dates and
 * is not filed. The collection checks the whole query on every document handed to it, so the
 * positions may be more than the matches, never fewer.
 */
final class TimeRanges {
    /** A range of times from a query: either bound may be open; inclusive or not as the operator says. */
    record Range(Instant from, boolean fromIncluded, Instant to, boolean toIncluded) {
    }

    private final String field;
    private final TreeMap<Instant, Set<Object>> byTime = new TreeMap<>();
    private final Map<Object, Instant> timeOf = new HashMap<>();
    private final Set<Object> arrays = new LinkedHashSet<>();

    TimeRanges(String field) {
        this.field = field;
    }

    void add(Document document, Object position) {
        Object value = Utils.getSubdocumentValueCollectionAware(document, field);
        if (value instanceof Instant time) {
            byTime.computeIfAbsent(time, t -> new LinkedHashSet<>()).add(position);
            timeOf.put(position, time);
        } else if (value instanceof Collection<?>) {
            arrays.add(position);
        }
    }

    /** Whether the document, at this position, would be filed as it is (the same time, or again under the arrays, or again not at all). */
    boolean unchanged(Document document, Object position) {
        Object value = Utils.getSubdocumentValueCollectionAware(document, field);
        if (value instanceof Instant time) {
            return time.equals(timeOf.get(position));
        }
        if (value instanceof Collection<?>) {
            return arrays.contains(position);
        }
        return !timeOf.containsKey(position) && !arrays.contains(position);
    }

    void remove(Object position) {
        Instant time = timeOf.remove(position);
        if (time != null) {
            Set<Object> positions = byTime.get(time);
            positions.remove(position);
            if (positions.isEmpty()) {
                byTime.remove(time);
            }
        }
        arrays.remove(position);
    }

    void clear() {
        byTime.clear();
        timeOf.clear();
        arrays.clear();
    }

    /**
     * The range the query gives this field: its own condition, or one in a top-level {@code $and}
     * (each condition there must hold, so any one of them narrows the candidates). A condition
     * counts when it is a date, or a document of only $gt / $gte / $lt / $lte with dates.
     */
    Range rangeOf(Document query) {
        Range range = parse(query.get(field));
        if (range != null) {
            return range;
        }
        if (query.get("$and") instanceof List<?> conditions) {
            for (Object condition : conditions) {
                if (condition instanceof Document part) {
                    range = rangeOf(part);
                    if (range != null) {
                        return range;
                    }
                }
            }
        }
        return null;
    }

    private static Range parse(Object condition) {
        if (condition instanceof Instant time) {
            return new Range(time, true, time, true);
        }
        if (!(condition instanceof Document operators) || operators.isEmpty()) {
            return null;
        }
        Instant from = null;
        Instant to = null;
        boolean fromIncluded = false;
        boolean toIncluded = false;
        for (Map.Entry<String, Object> entry : operators.entrySet()) {
            if (!(entry.getValue() instanceof Instant time)) {
                return null;
            }
            switch (entry.getKey()) {
                case "$gt" -> {
                    from = time;
                    fromIncluded = false;
                }
                case "$gte" -> {
                    from = time;
                    fromIncluded = true;
                }
                case "$lt" -> {
                    to = time;
                    toIncluded = false;
                }
                case "$lte" -> {
                    to = time;
                    toIncluded = true;
                }
                default -> {
                    return null;
                }
            }
        }
        return new Range(from, fromIncluded, to, toIncluded);
    }

    private NavigableMap<Instant, Set<Object>> within(Range range) {
        if (range.from() != null && range.to() != null) {
            int order = range.from().compareTo(range.to());
            if (order > 0 || (order == 0 && !(range.fromIncluded() && range.toIncluded()))) {
                return new TreeMap<>(); // an empty range (a TreeMap refuses to cut one)
            }
        }
        NavigableMap<Instant, Set<Object>> times = byTime;
        if (range.from() != null) {
            times = times.tailMap(range.from(), range.fromIncluded());
        }
        if (range.to() != null) {
            times = times.headMap(range.to(), range.toIncluded());
        }
        return times;
    }

    /** The positions that may match the range: its dated documents in time order, then those holding arrays. */
    List<Object> positions(Range range) {
        List<Object> positions = new ArrayList<>();
        for (Set<Object> at : within(range).values()) {
            positions.addAll(at);
        }
        positions.addAll(arrays);
        return positions;
    }

    /** How many positions {@link #positions} would hand out, counting no further than {@code atMost}. */
    long estimate(Range range, long atMost) {
        long count = arrays.size();
        for (Set<Object> at : within(range).values()) {
            count += at.size();
            if (count > atMost) {
                break;
            }
        }
        return count;
    }
}
