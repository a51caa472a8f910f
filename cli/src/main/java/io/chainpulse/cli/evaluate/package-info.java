/**
 * {@code ./chainpulse evaluate}: the detection floor, measured. {@link io.chainpulse.cli.evaluate.Sweep} simulates
 * networks with one fault each — every fault kind of the simulator ({@link io.chainpulse.cli.evaluate.FaultLadder}) ×
 * a ladder of magnitudes × seeds × network sizes — and long healthy networks, and runs each recording through the
 * production KPI and anomaly topologies, as {@code analyze} does; {@link io.chainpulse.cli.evaluate.Evaluation} reads
 * recall, delay, attribution and false alarms from the alerts; {@link io.chainpulse.cli.evaluate.FailUnder} turns
 * bars on those numbers into a build check.
 *
 * <pre>{@code
 * Evaluation evaluation = Evaluation.of(Sweep.run(settings, System.err::println));
 * List<String> shortfalls = FailUnder.parse("recall=1.0,false-per-10-node-hours=1").check(evaluation);
 * }</pre>
 */
package io.chainpulse.cli.evaluate;
