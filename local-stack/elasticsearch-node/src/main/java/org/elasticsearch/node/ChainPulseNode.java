package org.elasticsearch.node;

import java.util.Collection;
import org.elasticsearch.env.Environment;
import org.elasticsearch.plugins.MockPluginsService;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.plugins.PluginsLoader;
import org.elasticsearch.plugins.PluginsService;

/**
 * An Elasticsearch node whose plugins are classes on the classpath rather than bundles under {@code modules/}.
 *
 * <p>It lives in Elasticsearch's package because {@code Node(NodeConstruction)} and {@link NodeServiceProvider} are
 * package-private there; the published {@code MockNode} cannot be used instead because it needs Elasticsearch's own
 * randomized test runner.
 *
 * <pre>{@code
 * Node node = new ChainPulseNode(environment, List.of(Netty4Plugin.class, RootEndpointPlugin.class)).start();
 * }</pre>
 */
public final class ChainPulseNode extends Node {

    public ChainPulseNode(Environment environment, Collection<Class<? extends Plugin>> plugins) {
        super(NodeConstruction.prepareConstruction(environment, null, new ClasspathPlugins(plugins), true));
    }

    private static final class ClasspathPlugins extends NodeServiceProvider {
        private final Collection<Class<? extends Plugin>> plugins;

        ClasspathPlugins(Collection<Class<? extends Plugin>> plugins) {
            this.plugins = plugins;
        }

        @Override
        PluginsService newPluginService(Environment environment, PluginsLoader loader) {
            return new MockPluginsService(environment.settings(), environment, plugins);
        }
    }
}
