/**
 * The live dashboard: a consumer of the KPI and anomaly topics serving a page on localhost.
 *
 * <pre>{@code
 * try (Dashboard dashboard = Dashboard.builder().bootstrapServers("127.0.0.1:9092")
 *         .schemaRegistryUrl("http://127.0.0.1:8081/apis/ccompat/v7").port(0).build()) {
 *     dashboard.start();
 *     browse(dashboard.uri());
 * }
 * }</pre>
 *
 * <p>{@link io.chainpulse.dashboard.Dashboard} is the whole public surface. Inside: {@code TopicTail} reads the recent
 * tail of both topics (assigned partitions, no consumer group), {@code DashboardView} keeps a bounded window of it in
 * memory and renders it as JSON, {@code DashboardCatalog} tells the page what to draw (the KPI catalog and the fixed
 * charts; the page spells no KPI), and {@code DashboardServer} serves that JSON, the page and uPlot (from its WebJar)
 * with the JDK's HTTP server. Browsers poll the JSON every second and never reach Kafka.
 */
package io.chainpulse.dashboard;
