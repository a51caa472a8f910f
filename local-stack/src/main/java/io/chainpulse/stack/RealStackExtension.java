package io.chainpulse.stack;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension handing tests the JVM's shared {@link RealStack} (real Kafka broker and schema registry), or
 * either server alone, as a test or lifecycle method parameter. An {@link Elasticsearch} parameter gets the JVM's
 * shared node, started on first use without starting the broker or registry.
 */
public final class RealStackExtension implements ParameterResolver {

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == RealStack.class || type == KafkaBroker.class || type == SchemaRegistry.class
                || type == Elasticsearch.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        if (type == Elasticsearch.class) {
            return RealStack.sharedElasticsearch();
        }
        RealStack stack = RealStack.shared();
        if (type == KafkaBroker.class) {
            return stack.broker();
        }
        return type == SchemaRegistry.class ? stack.registry() : stack;
    }
}
