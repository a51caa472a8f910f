package io.chainpulse.bench;

import io.chainpulse.bench.BenchResult.KpiCost;
import io.chainpulse.schema.catalog.Kpi;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;

/**
 * What each KPI costs ({@code ./chainpulse bench --kpi-costs}): the processor catching up on the same events with
 * the original eight KPIs and with the eight and each newer KPI (or group of KPIs sharing one stage) alone, in turn —
 * a run of the eight before and after each, so each is compared with the eight next to it in time; the spread of the
 * eight's runs is the noise. Each configuration is the processor with
 * its {@code kpis} setting, an application of its own, provisioned on the empty topic before the load like the main
 * catch-up ({@link StreamsCatchUp}).
 *
 * <pre>{@code
 * KpiCosts costs = KpiCosts.provision(bootstrap, registryUrl, topic, kpiTopic, threads, dir);   // topic still empty
 * List<KpiCost> runs = costs.run(admin, topic, loaded);                                         // after the load
 * }</pre>
 */
final class KpiCosts {
    /** The KPIs of the first processor, before the catalog: the baseline. */
    static final List<Kpi> EIGHT = List.of(Kpi.TX_INGRESS_TPS, Kpi.TPS, Kpi.BLOCK_TIME_MS, Kpi.BLOCK_CREATION_MS,
            Kpi.BLOCK_EXECUTION_MS, Kpi.CONSENSUS_LATENCY_MS, Kpi.PROPAGATION_DELAY_MS, Kpi.TX_VALIDATION_MS);

    /** KPIs computed by one stage: measured together (the resource KPIs are one sub-topology of their own). */
    static final List<List<Kpi>> SAME_STAGE = List.of(List.of(Kpi.CONSENSUS_ROUNDS, Kpi.ROUND_CHANGES_PER_MIN),
            Kpi.resources());

    /**
     * Each newer KPI added to the eight alone, in catalog order, derived from the catalog so that a KPI added to it is
     * measured too; KPIs computed by one stage go together ({@link #SAME_STAGE}, at its first member's place).
     */
    static final List<List<Kpi>> ADDED = added();

    private static List<List<Kpi>> added() {
        List<List<Kpi>> added = new ArrayList<>();
        for (Kpi kpi : Kpi.values()) {
            if (EIGHT.contains(kpi) || added.stream().anyMatch(group -> group.contains(kpi))) {
                continue;
            }
            added.add(SAME_STAGE.stream().filter(group -> group.contains(kpi)).findFirst().orElse(List.of(kpi)));
        }
        return List.copyOf(added);
    }

    /**
     * Runs of the eight before the measured ones, left out of the costs: in one bench the first catch-ups after the
     * load phases ran up to twice slower than the later ones whatever they computed (benchmarks/README.md, 06:24).
     */
    static final int WARM_UPS = 2;

    /**
     * One catch-up of the plan: its label, whether it only warms up (timed and logged, not counted), its KPIs and its
     * application id.
     */
    record Step(String name, boolean warmUp, List<Kpi> kpis, String appId) {
        /** A run of the eight: what the others are compared with. */
        boolean baseline() {
            return kpis.equals(EIGHT);
        }
    }

    /** A step and the processor that runs it. */
    private record Configuration(Step step, StreamsCatchUp.Starter app) {}

    private final List<Configuration> configurations;

    private KpiCosts(List<Configuration> configurations) {
        this.configurations = configurations;
    }

    /**
     * The catch-ups in the order they run: {@link #WARM_UPS} runs of the eight, then a run of the eight before and
     * after each of {@link #ADDED}, so each is compared with the eight next to it in time (the machine drifts within
     * a bench).
     */
    static List<Step> plan() {
        List<Step> plan = new ArrayList<>();
        for (int i = 1; i <= WARM_UPS; i++) {
            plan.add(new Step("eight, warm-up " + i, true, EIGHT, "bench-kpis-warm-up-" + i));
        }
        for (int i = 0; i < ADDED.size(); i++) {
            plan.add(new Step("eight, run " + (i + 1), false, EIGHT, "bench-kpis-eight-" + (i + 1)));
            List<Kpi> added = ADDED.get(i);
            String suffix = added.equals(Kpi.resources()) ? "resources" : added.get(0).metric();
            plan.add(new Step("eight + " + label(added), false, Stream.concat(EIGHT.stream(), added.stream()).toList(),
                    "bench-kpis-eight-" + suffix));
        }
        plan.add(new Step("eight, run " + (ADDED.size() + 1), false, EIGHT, "bench-kpis-eight-" + (ADDED.size() + 1)));
        return plan;
    }

    /** The configurations counted, in the order they run (the plan without its warm-up). */
    static List<String> names() {
        return plan().stream().filter(step -> !step.warmUp()).map(Step::name).toList();
    }

    /** Starts and stops each step's application once on the still empty {@code topic}. */
    static KpiCosts provision(String bootstrap, String registryUrl, String topic, String kpiTopic, int threads,
                              Path dir) throws Exception {
        List<Configuration> configurations = new ArrayList<>();
        for (Step step : plan()) {
            Configuration c = new Configuration(step, StreamsCatchUp.processor(step.appId(), bootstrap, registryUrl,
                    topic, kpiTopic, threads, dir.resolve(step.appId() + "-state"), metrics(step.kpis())));
            StreamsCatchUp.provision(step.appId(), c.app());
            configurations.add(c);
        }
        return new KpiCosts(configurations);
    }

    /**
     * Times each step catching up on the {@code events} of {@code topic}, in order; the warm-up runs are timed (and
     * logged) but not returned.
     */
    List<KpiCost> run(Admin admin, String topic, long events) throws Exception {
        List<KpiCost> costs = new ArrayList<>();
        for (Configuration c : configurations) {
            Step step = c.step();
            StreamsCatchUp.CatchUp run = StreamsCatchUp.run(step.appId(), admin, topic, events, c.app());
            if (!step.warmUp()) {
                costs.add(new KpiCost(step.name(), step.baseline(), metrics(step.kpis()), run.eventsPerSecond(),
                        run.startUpSeconds(), run.processingEventsPerSecond()));
            }
        }
        return costs;
    }

    private static List<String> metrics(List<Kpi> kpis) {
        return kpis.stream().map(Kpi::metric).toList();
    }

    /** {@code gas_per_s}, {@code consensus_rounds + round_changes_per_min}, {@code the resource KPIs (17)}. */
    static String label(List<Kpi> kpis) {
        if (kpis.equals(Kpi.resources())) {
            return "the resource KPIs (" + kpis.size() + ")";
        }
        return String.join(" + ", kpis.stream().map(Kpi::metric).toList());
    }
}
