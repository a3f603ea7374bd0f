package dev.troupe.cluster;

import akka.cluster.ConfigValidation;
import akka.cluster.Invalid;
import akka.cluster.JoinConfigCompatChecker;
import akka.cluster.Valid$;
import akka.japi.Util;
import com.typesafe.config.Config;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import scala.collection.immutable.Seq;

/**
 * Keeps nodes of different troupe versions apart, through Akka's join-time configuration check: the lead lets
 * every node's request through, and the joining node, which receives the lead's settings in the answer, refuses to
 * join when the versions differ. So the refusal happens where the person who started the node sees it, and it
 * names both versions ({@link #refusal}). Akka makes this class by name ({@code checkers.troupe} in
 * {@link ClusterConfig}).
 */
public final class VersionCheck extends JoinConfigCompatChecker {

    static final String VERSION = "troupe.cluster.version";
    static final String NODE = "troupe.cluster.node";
    private static final String ROLES = "akka.cluster.roles";

    /** Why a node of this JVM was refused, by its {@link #NODE} id: Akka only logs what a checker said. */
    private static final Map<String, String> REFUSALS = new ConcurrentHashMap<>();

    @Override
    public Seq<String> requiredKeys() {
        return Util.immutableSeq(List.of(VERSION, ROLES));
    }

    /** @param toCheck the other node's settings; @param actual this node's */
    @Override
    public ConfigValidation check(Config toCheck, Config actual) {
        String ours = actual.getString(VERSION);
        String theirs = toCheck.getString(VERSION);
        boolean otherIsLead = toCheck.getStringList(ROLES).contains(ClusterConfig.Role.LEAD.roleName());
        if (ours.equals(theirs) || !otherIsLead) {
            return Valid$.MODULE$;
        }
        String refusal = "the lead runs troupe " + theirs + " and this node troupe " + ours
                + "; run the same version on every node";
        REFUSALS.put(actual.getString(NODE), refusal);
        return new Invalid(Util.immutableSeq(List.of(refusal)));
    }

    /** What the check said when the node {@code nodeId} was refused, if it was. */
    static java.util.Optional<String> refusal(String nodeId) {
        return java.util.Optional.ofNullable(REFUSALS.remove(nodeId));
    }
}
