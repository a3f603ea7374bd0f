package dev.troupe.goal;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads {@code variants:} and {@code judge:} (under {@code agent:} or on a task): a whole number of variants alike,
 * or a list of mappings that each set {@code model}, {@code append-system-prompt}, {@code agent} (a profile) and
 * {@code cli}. A task's own win over the
 * agent's; a problem is reported at its key.
 */
final class VariantChecks {

    /** Where in the file a problem is: {@link GoalChecks}'s own. */
    interface Places {
        GoalException at(String pointer, String problem);
    }

    private static final Set<String> VARIANT_KEYS = Set.of("model", "append-system-prompt", "agent", "cli");
    private static final String KEYS = "model, append-system-prompt, agent and/or cli";

    private final Places places;
    private final UnknownValues unknownValues;
    private final AgentChecks agentChecks;
    private final List<AgentProfile> profiles;

    /**
     * @param unknownValues where the file names a judge that is none
     * @param profiles the goal's agent profiles, which a variant's {@code agent:} names
     */
    VariantChecks(Places places, UnknownValues unknownValues, AgentChecks agentChecks, List<AgentProfile> profiles) {
        this.places = places;
        this.unknownValues = unknownValues;
        this.agentChecks = agentChecks;
        this.profiles = profiles;
    }

    /**
     * @param at the JSON pointer of the mapping that holds the keys ({@code /agent}, {@code /tasks/2})
     * @param byDefault what holds when the mapping sets neither key
     */
    Goal.Variants variants(JsonNode variants, Goal.Judge judge, String at, String owner, Goal.Variants byDefault)
            throws GoalException {
        Optional<String> unknown = unknownValues.at(at + "/judge");
        if (unknown.isPresent()) {
            throw places.at(at + "/judge", "judge of " + owner + " is '" + unknown.get() + "'; expected "
                    + UnknownValues.choices(Goal.Judge.class));
        }
        Goal.Judge picked = judge == null ? byDefault.judge() : judge;
        if (variants == null || variants.isNull()) {
            return new Goal.Variants(byDefault.each(), picked);
        }
        String pointer = at + "/variants";
        if (variants.isIntegralNumber()) {
            int count = variants.asInt();
            if (count < 1 || count > 20) {
                throw places.at(pointer, "variants of " + owner + " must be a whole number from 1 to 20, not " + count);
            }
            return count == 1 ? new Goal.Variants(List.of(), picked) : Goal.Variants.alike(count, picked);
        }
        if (!variants.isArray()) {
            throw places.at(pointer, "variants of " + owner + " must be a whole number or a list of mappings"
                    + " (each with " + KEYS + ")");
        }
        if (variants.size() < 2 || variants.size() > 20) {
            throw places.at(pointer, "variants of " + owner + " lists " + variants.size()
                    + "; a list needs 2 to 20 variants");
        }
        List<Goal.Variant> each = new ArrayList<>();
        for (int i = 0; i < variants.size(); i++) {
            each.add(variant(variants.get(i), pointer + "/" + i, owner, i + 1));
        }
        return new Goal.Variants(List.copyOf(each), picked);
    }

    private Goal.Variant variant(JsonNode node, String pointer, String owner, int number) throws GoalException {
        if (!node.isObject()) {
            throw places.at(pointer, "variant " + number + " of " + owner
                    + " must be a mapping with " + KEYS);
        }
        for (Iterator<String> keys = node.fieldNames(); keys.hasNext(); ) {
            String key = keys.next();
            if (!VARIANT_KEYS.contains(key)) {
                throw places.at(pointer + "/" + key, "variant " + number + " of " + owner + " has unknown key '"
                        + key + "'; expected " + KEYS.replace("and/or", "or"));
            }
            if (!node.get(key).isTextual() || node.get(key).asText().isBlank()) {
                throw places.at(pointer + "/" + key, key + " of variant " + number + " of " + owner
                        + " must be a non-empty text");
            }
        }
        String owned = "variant " + number + " of " + owner;
        return new Goal.Variant(text(node, "model"), text(node, "append-system-prompt"),
                agentChecks.profile(text(node, "agent").orElse(null), pointer + "/agent", owned, profiles),
                agentChecks.cli(text(node, "cli").orElse(null), pointer + "/cli", "cli of " + owned));
    }

    private static Optional<String> text(JsonNode node, String key) {
        return Optional.ofNullable(node.get(key)).map(JsonNode::asText).map(String::strip);
    }
}
