package io.handoff.classify;

import io.handoff.avro.CausalStep;
import io.handoff.avro.Culprit;
import io.handoff.avro.RootCause;

import java.util.List;

/**
 * The classifier's verdict on a {@link Timeline}.
 *
 * @param rootCause    the primary label: the root of the causal chain
 * @param contributing the other labels of the chain (and causes present beside it), in chain order
 * @param chain        root first, the clients' gateway errors last
 * @param culprit      script, plugin/theme, pid, upstream the evidence points at (fields may be null)
 * @param remediation  what to change, for the primary label
 * @param confidence   0..1, how complete and corroborated the chain is
 * @param summary      one readable sentence
 */
public record Diagnosis(RootCause rootCause, List<RootCause> contributing, List<CausalStep> chain, Culprit culprit,
                        String remediation, double confidence, String summary) {
    public Diagnosis {
        contributing = List.copyOf(contributing);
        chain = List.copyOf(chain);
    }
}
