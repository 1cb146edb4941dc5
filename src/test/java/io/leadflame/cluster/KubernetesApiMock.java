package io.leadflame.cluster;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/**
 * The part of a Kubernetes API server that {@code kubernetes-api} discovery uses: over HTTPS
 * (the JDK's server, a self-signed certificate made by the JDK's keytool whose SAN is the
 * server's IP), {@code GET /api/v1/namespaces/{ns}/pods?labelSelector=...} answers a PodList
 * of Running pods, each at its own IP; a wrong token is 401 and a wrong namespace or selector
 * an empty list, as a real API server would answer. The CA file and the token are written to a
 * directory for the discovery's {@code api-ca-path} and {@code api-token-path}.
 */
final class KubernetesApiMock implements AutoCloseable {

    private static final String PASSWORD = "changeit";

    private final HttpsServer server;
    private final Path caFile;
    private final Path tokenFile;
    private final List<String> requests = new CopyOnWriteArrayList<>();

    private KubernetesApiMock(HttpsServer server, Path caFile, Path tokenFile) {
        this.server = server;
        this.caFile = caFile;
        this.tokenFile = tokenFile;
    }

    /**
     * Serves the pods {@code podIps} (label {@code app=leadflame}) of {@code namespace} on
     * {@code ip:port}.
     */
    static KubernetesApiMock start(Path dir, String ip, int port, String namespace, List<String> podIps)
            throws Exception {
        Path keystore = dir.resolve("api.p12");
        Path caFile = dir.resolve("ca.crt");
        keytool("-genkeypair", "-alias", "api", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=kubernetes-api-mock", "-ext", "SAN=ip:" + ip,
                "-keystore", keystore.toString(), "-storetype", "PKCS12",
                "-storepass", PASSWORD, "-keypass", PASSWORD);
        keytool("-exportcert", "-rfc", "-alias", "api", "-keystore", keystore.toString(),
                "-storepass", PASSWORD, "-file", caFile.toString());
        String token = "test-token-" + System.nanoTime();
        Path tokenFile = Files.writeString(dir.resolve("token"), token);

        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            ks.load(in, PASSWORD.toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, PASSWORD.toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);

        HttpsServer server = HttpsServer.create(new InetSocketAddress(ip, port), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        KubernetesApiMock mock = new KubernetesApiMock(server, caFile, tokenFile);
        server.createContext("/api/v1/namespaces/", exchange -> {
            String query = exchange.getRequestURI().getRawQuery();
            mock.requests.add(exchange.getRequestURI().getPath() + "?" + query);
            String selector = query == null ? "" : URLDecoder.decode(query, StandardCharsets.UTF_8);
            byte[] body;
            int status;
            if (!("Bearer " + token).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                status = 401;
                body = "{\"kind\":\"Status\",\"status\":\"Failure\",\"code\":401}".getBytes(StandardCharsets.UTF_8);
            } else {
                status = 200;
                boolean matches = exchange.getRequestURI().getPath().equals("/api/v1/namespaces/" + namespace + "/pods")
                        && selector.equals("labelSelector=app=leadflame");
                body = podList(matches ? podIps : List.of()).getBytes(StandardCharsets.UTF_8);
            }
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        return mock;
    }

    Path caFile() {
        return caFile;
    }

    Path tokenFile() {
        return tokenFile;
    }

    /** Path and query of every pod list asked for so far. */
    List<String> requests() {
        return List.copyOf(requests);
    }

    private static String podList(List<String> ips) {
        String items = ips.stream().map(ip -> """
                {"metadata": {"name": "leadflame-%s", "labels": {"app": "leadflame"}},
                 "spec": {"containers": [{"name": "leadflame"}]},
                 "status": {"phase": "Running", "podIP": "%s"}}""".formatted(ip.replace('.', '-'), ip))
                .collect(Collectors.joining(","));
        return "{\"kind\": \"PodList\", \"apiVersion\": \"v1\", \"metadata\": {}, \"items\": [" + items + "]}";
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("keytool failed: " + output);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
