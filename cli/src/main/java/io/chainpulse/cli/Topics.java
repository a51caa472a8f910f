package io.chainpulse.cli;

/** Names of the topics the local stack creates. */
final class Topics {
    static final String EVENTS = "chainpulse.events";
    static final String[] ALL = {EVENTS};

    private Topics() {}
}
