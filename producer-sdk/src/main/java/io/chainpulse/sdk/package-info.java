/**
 * The ChainPulse producer SDK: what a node embeds to publish its protocol events.
 *
 * <p>Public surface: {@link io.chainpulse.sdk.ChainPulseSdk} (builder, {@code event(type)...record()},
 * {@code time(phase, height)}, {@code record(ProtocolEvent)}, {@code flush}, {@code close}, {@code stats}),
 * {@link io.chainpulse.sdk.Event}, {@link io.chainpulse.sdk.Timing}, {@link io.chainpulse.sdk.Phase},
 * {@link io.chainpulse.sdk.ErrorListener}, {@link io.chainpulse.sdk.SdkMetrics}, {@link io.chainpulse.sdk.SdkConfig}
 * and {@link io.chainpulse.sdk.JsonLinesReplay}. Everything else is package-private: the sender and replayer threads
 * ({@code Sender}) and the disk spool ({@code Spool}).
 */
package io.chainpulse.sdk;
