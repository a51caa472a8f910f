package io.chainpulse.sink.es;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch.core.BulkRequest;
import co.elastic.clients.elasticsearch.core.BulkResponse;
import co.elastic.clients.elasticsearch.core.bulk.BulkOperation;
import co.elastic.clients.elasticsearch.core.bulk.BulkResponseItem;
import co.elastic.clients.elasticsearch.ilm.PutLifecycleRequest;
import co.elastic.clients.elasticsearch.indices.PutIndexTemplateRequest;
import co.elastic.clients.json.jackson.JacksonJsonpMapper;
import co.elastic.clients.transport.rest_client.RestClientTransport;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.http.Header;
import org.apache.http.HttpHost;
import org.apache.http.auth.AuthScope;
import org.apache.http.auth.UsernamePasswordCredentials;
import org.apache.http.impl.client.BasicCredentialsProvider;
import org.apache.http.message.BasicHeader;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;
import org.elasticsearch.client.RestClient;
import org.elasticsearch.client.RestClientBuilder;

/**
 * The sink's connection to Elasticsearch (the official Java client over the low-level REST client): bulk writes and
 * the start-up installation of templates and the optional ILM policy. Credentials and the CA come from
 * {@link SinkEsConfig}; they go into the HTTP client and nowhere else (no log line, no exception message).
 */
public final class EsClient implements BulkClient, AutoCloseable {
    private final RestClient rest;
    private final ElasticsearchClient client;

    private EsClient(RestClient rest) {
        this.rest = rest;
        this.client = new ElasticsearchClient(new RestClientTransport(rest, new JacksonJsonpMapper()));
    }

    public static EsClient connect(SinkEsConfig config) {
        List<HttpHost> hosts = new ArrayList<>();
        for (String url : config.getList(SinkEsConfig.ES_URLS)) {
            URI uri = URI.create(url);
            int port = uri.getPort() != -1 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 9200;
            hosts.add(new HttpHost(uri.getHost(), port, uri.getScheme()));
        }
        int connectTimeout = config.getInt(SinkEsConfig.ES_CONNECT_TIMEOUT_MS);
        int requestTimeout = config.getInt(SinkEsConfig.ES_REQUEST_TIMEOUT_MS);
        String username = config.username();
        Password password = config.getPassword(SinkEsConfig.ES_PASSWORD);
        Password apiKey = config.getPassword(SinkEsConfig.ES_API_KEY);
        String caPath = config.getString(SinkEsConfig.ES_TLS_CA_PATH);
        SSLContext ssl = caPath == null || caPath.isBlank() ? null : sslTrusting(Path.of(caPath));

        RestClientBuilder builder = RestClient.builder(hosts.toArray(HttpHost[]::new))
                .setRequestConfigCallback(request -> request.setConnectTimeout(connectTimeout)
                        .setSocketTimeout(requestTimeout))
                .setHttpClientConfigCallback(http -> {
                    if (username != null) {
                        BasicCredentialsProvider credentials = new BasicCredentialsProvider();
                        credentials.setCredentials(AuthScope.ANY,
                                new UsernamePasswordCredentials(username, password.value()));
                        http.setDefaultCredentialsProvider(credentials);
                    }
                    if (ssl != null) {
                        http.setSSLContext(ssl);
                    }
                    return http;
                });
        if (apiKey != null) {
            builder.setDefaultHeaders(new Header[] {new BasicHeader("Authorization", "ApiKey " + apiKey.value())});
        }
        return new EsClient(builder.build());
    }

    @Override
    public List<ItemResult> bulk(List<IndexDoc> docs) throws IOException {
        List<BulkOperation> operations = new ArrayList<>(docs.size());
        for (IndexDoc doc : docs) {
            operations.add(BulkOperation.of(op -> op.index(index -> index.index(doc.index()).id(doc.id())
                    .document(doc.source()))));
        }
        BulkResponse response = client.bulk(BulkRequest.of(request -> request.operations(operations)));
        List<ItemResult> results = new ArrayList<>(response.items().size());
        for (BulkResponseItem item : response.items()) {
            results.add(item.error() == null ? new ItemResult(item.status(), null, null)
                    : new ItemResult(item.status(), item.error().type(), item.error().reason()));
        }
        return results;
    }

    /** PUT the ILM policy (when configured) and every index template. Idempotent. */
    public void install(IndexTemplates templates) throws IOException {
        if (templates.ilmPolicyName() != null) {
            client.ilm().putLifecycle(PutLifecycleRequest.of(request -> request
                    .withJson(new StringReader(templates.ilmPolicyBody())).name(templates.ilmPolicyName())));
        }
        for (Map.Entry<String, String> template : templates.templates().entrySet()) {
            client.indices().putIndexTemplate(PutIndexTemplateRequest.of(request -> request
                    .withJson(new StringReader(template.getValue())).name(template.getKey())));
        }
    }

    /** The official client, for tests and tools that read what the sink wrote. */
    public ElasticsearchClient client() {
        return client;
    }

    @Override
    public void close() throws IOException {
        rest.close();
    }

    private static SSLContext sslTrusting(Path caPem) {
        try (InputStream in = Files.newInputStream(caPem)) {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            int n = 0;
            for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trust.setCertificateEntry("ca-" + n++, certificate);
            }
            if (n == 0) {
                throw new ConfigException(SinkEsConfig.ES_TLS_CA_PATH, caPem.toString(), "no certificate in the file");
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trust);
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, factory.getTrustManagers(), null);
            return ssl;
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigException(SinkEsConfig.ES_TLS_CA_PATH, caPem.toString(),
                    "cannot read a PEM CA certificate: " + e.getMessage());
        }
    }
}
