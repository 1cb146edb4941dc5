package io.leadflame.k8s;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigResolver;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Keeps the Kubernetes deployment in {@code k8s/} consistent with itself and with the service's
 * configuration: the ports, probes, env variables, labels and credentials the manifests use are
 * the ones {@code conf/}, the code and {@code ../shared/OPERATIONS.md} define. Runs from the
 * repository root (Maven's working directory); needs no cluster.
 */
class KubernetesManifestsTest {

    private static final Path K8S = Path.of("k8s");
    private static final Path KUSTOMIZATION = K8S.resolve("kustomization.yaml");
    private static final Path DOCKERFILE = K8S.resolve("Dockerfile");
    private static final Path K8S_README = K8S.resolve("README.md");
    private static final Path OPERATIONS = Path.of("..", "shared", "OPERATIONS.md");
    private static final Path MAIN_SOURCES = Path.of("src", "main", "java");

    private static final String DEPLOYMENT = "leadflame";
    private static final String CONTAINER = "leadflame";

    /** The env table of OPERATIONS.md, for when ../shared is not beside the repository. */
    private static final Set<String> OPERATIONS_FALLBACK = Set.of("HTTP_PORT", "DATA_DIR", "LEADFLAME_JOURNAL",
            "JDBC_URL", "JDBC_USER", "JDBC_PASSWORD", "CLUSTER_HOST", "CLUSTER_PORT", "MANAGEMENT_PORT",
            "LEADFLAME_DISCOVERY", "CONTACT_POINTS", "REQUIRED_CONTACT_POINTS");
    /** Read by kubernetes-api discovery (OPERATIONS.md names them in prose) and by the JVM itself. */
    private static final Set<String> ALSO_KNOWN = Set.of("POD_NAMESPACE", "LABEL_SELECTOR", "JAVA_TOOL_OPTIONS");

    private static final Pattern SECRET_NAME = Pattern.compile("(?i).*(PASSWORD|PASSWD|SECRET|TOKEN|CREDENTIAL|API_?KEY|OPERATOR_?KEY).*");

    /** One YAML document of a manifest file. */
    record Doc(Path file, Map<String, Object> body) {
        String kind() {
            return string(body, "kind");
        }

        String name() {
            return string(body, "metadata.name");
        }

        @Override
        public String toString() {
            return kind() + "/" + name() + " (" + file + ")";
        }
    }

    /** A pod template found in a workload, with the workload it belongs to. */
    record PodTemplate(Doc owner, Map<String, Object> template) {
        Map<String, String> labels() {
            return stringMap(at(template, "metadata.labels"));
        }

        Map<String, Object> spec() {
            return map(template, "spec");
        }

        List<Map<String, Object>> containers() {
            List<Map<String, Object>> all = new ArrayList<>(maps(at(spec(), "containers")));
            all.addAll(maps(at(spec(), "initContainers")));
            return all;
        }
    }

    private static List<Doc> docs;
    private static Map<String, Object> kustomization;
    /** conf/ (application.conf and its includes) over every reference.conf, with no env or -D. */
    private static Config defaults;
    /** conf/ alone, with no env or -D: what the project itself sets. */
    private static Config projectConf;
    /** env variable → the config keys set to exactly its value. */
    private static Map<String, Set<String>> envToKeys;

    @BeforeAll
    static void load() throws IOException {
        assertTrue(Files.isDirectory(K8S), "run from the repository root: " + K8S.toAbsolutePath() + " is missing");
        Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
        docs = new ArrayList<>();
        for (Path file : manifestFiles()) {
            try (Reader reader = Files.newBufferedReader(file)) {
                for (Object body : yaml.loadAll(reader)) {
                    if (body == null) {
                        continue; // an empty document, e.g. after a trailing ---
                    }
                    assertTrue(body instanceof Map, file + ": a document is not a mapping");
                    docs.add(new Doc(file, map(body)));
                }
            }
        }
        try (Reader reader = Files.newBufferedReader(KUSTOMIZATION)) {
            kustomization = map(yaml.load(reader));
        }

        Config unresolved = ConfigFactory.parseResources("application.conf")
                .withFallback(ConfigFactory.defaultReferenceUnresolved());
        defaults = unresolved.resolve(ConfigResolveOptions.noSystem());
        projectConf = ConfigFactory.parseResources("application.conf").resolve(ConfigResolveOptions.noSystem());
        envToKeys = envVariablesReadByConfig(unresolved);
    }

    // ---- the files themselves ------------------------------------------------------------

    @Test
    void everyDocumentIsAKubernetesObjectDeclaredOnce() {
        assertFalse(docs.isEmpty(), "no manifest found under " + K8S);
        Set<String> seen = new TreeSet<>();
        for (Doc doc : docs) {
            assertNotNull(string(doc.body(), "apiVersion"), doc.file() + ": a document without apiVersion");
            assertNotNull(doc.kind(), doc.file() + ": a document without kind");
            assertNotNull(doc.name(), doc.file() + ": a " + doc.kind() + " without metadata.name");
            assertTrue(seen.add(doc.kind() + "/" + doc.name()), "declared twice: " + doc);
        }
    }

    @Test
    void kustomizationListsEveryManifestAndSetsTheNamespace() throws IOException {
        Set<String> listed = new TreeSet<>(strings(kustomization.get("resources")));
        Set<String> present = manifestFiles().stream()
                .map(file -> K8S.relativize(file).toString().replace('\\', '/'))
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(present, listed, "kustomization.yaml resources must list exactly the manifests in k8s/");

        String namespace = string(kustomization, "namespace");
        assertNotNull(namespace, "kustomization.yaml sets no namespace");
        List<Doc> namespaces = ofKind("Namespace");
        assertEquals(List.of(namespace), namespaces.stream().map(Doc::name).toList(),
                "k8s/ must create the kustomization's namespace, and only it");
        for (Doc doc : docs) {
            String own = string(doc.body(), "metadata.namespace");
            if (own != null) {
                assertEquals(namespace, own, doc + " is in another namespace than the kustomization's");
            }
        }
    }

    // ---- ports and probes against conf/ --------------------------------------------------

    @Test
    void containerPortsAreTheConfiguredDefaults() {
        Map<String, Integer> ports = containerPorts();
        assertEquals(Set.of("http", "remoting", "management"), ports.keySet(),
                "the node's container ports must be exactly http, remoting and management");
        assertEquals(defaults.getInt("leadflame.http.port"), ports.get("http"),
                "port http vs leadflame.http.port in conf/");
        assertEquals(defaults.getInt("pekko.remote.artery.canonical.port"), ports.get("remoting"),
                "port remoting vs pekko.remote.artery.canonical.port in conf/");
    }

    @Test
    void managementPortIsTheConfiguredDefault() {
        assertTrue(projectConf.hasPath("pekko.management.http.port"),
                "conf/ must set pekko.management.http.port; pekko-management's own default is "
                        + defaults.getInt("pekko.management.http.port"));
        assertEquals(projectConf.getInt("pekko.management.http.port"), containerPorts().get("management"),
                "port management vs pekko.management.http.port in conf/");
    }

    @Test
    void portVariablesAgreeWithTheContainerPorts() {
        Map<String, Integer> ports = containerPorts();
        Map<String, String> portEnv = Map.of("HTTP_PORT", "http", "CLUSTER_PORT", "remoting",
                "MANAGEMENT_PORT", "management");
        Map<String, Map<String, Object>> env = nodeEnv();
        portEnv.forEach((variable, port) -> {
            if (env.containsKey(variable)) {
                assertEquals(String.valueOf(ports.get(port)), literal(env.get(variable)),
                        variable + " must equal the container port " + port);
            }
        });
    }

    @Test
    void portAndHostVariablesReachTheirConfigKeys() {
        assertReads("HTTP_PORT", "leadflame.http.port");
        assertReads("CLUSTER_PORT", "pekko.remote.artery.canonical.port");
        assertReads("CLUSTER_HOST", "pekko.remote.artery.canonical.hostname");
        assertReads("MANAGEMENT_PORT", "pekko.management.http.port");
    }

    /** Pods listen beyond loopback, so keys must be on, with the operator key from a Secret (README "Security"). */
    @Test
    void theApiAsksForKeys() {
        Map<String, Map<String, Object>> env = nodeEnv();
        assertEquals("0.0.0.0", literal(env.get("HTTP_INTERFACE")), "the API must be reachable through the Service");
        assertEquals("on", literal(env.get("LEADFLAME_AUTH")), "keys must be on explicitly, so a pod without them refuses to start");
        assertNotNull(env.get("LEADFLAME_OPERATOR_KEY"), "the operator key must be set");
        assertNotNull(at(env.get("LEADFLAME_OPERATOR_KEY"), "valueFrom.secretKeyRef"),
                "the operator key must come from a Secret");
        assertReads("HTTP_INTERFACE", "leadflame.http.interface");
        assertReads("LEADFLAME_AUTH", "leadflame.auth.mode");
        assertReads("LEADFLAME_OPERATOR_KEY", "leadflame.auth.operator-key");
    }

    @Test
    void probesUseTheManagementEndpoints() {
        Map<String, Object> container = nodeContainer();
        Set<String> portNames = containerPorts().keySet();

        Map<String, Object> readiness = map(container, "readinessProbe");
        assertEquals("/ready", string(readiness, "httpGet.path"), "readinessProbe path");
        assertEquals("management", string(readiness, "httpGet.port"), "readinessProbe must use the port named management");
        Map<String, Object> liveness = map(container, "livenessProbe");
        assertEquals("/alive", string(liveness, "httpGet.path"), "livenessProbe path");
        assertEquals("management", string(liveness, "httpGet.port"), "livenessProbe must use the port named management");
        Object startup = container.get("startupProbe");
        if (startup != null) {
            assertTrue(Set.of("/alive", "/ready").contains(string(startup, "httpGet.path")), "startupProbe path");
            assertEquals("management", string(startup, "httpGet.port"), "startupProbe must use the port named management");
        }
        assertTrue(portNames.contains("management"), "the probes name a port the container does not declare");

        // The node answers "not ready" itself when a check is slow; a probe timeout that is not
        // longer would turn every slow check into a probe failure with no reason given.
        int probeTimeout = integer(readiness, "timeoutSeconds").orElse(1);
        for (String key : List.of("leadflame.readiness.journal-timeout", "pekko.management.health-checks.check-timeout")) {
            Duration nodeTimeout = defaults.getDuration(key);
            assertTrue(Duration.ofSeconds(probeTimeout).compareTo(nodeTimeout) > 0,
                    "readinessProbe.timeoutSeconds (" + probeTimeout + ") must exceed " + key + " (" + nodeTimeout + ")");
        }
    }

    @Test
    void prometheusScrapesTheMetricsOnTheHttpPort() {
        Map<String, Object> annotations = map(nodePod().template(), "metadata.annotations");
        annotations.forEach((key, value) -> assertTrue(value instanceof String,
                "annotation " + key + " must be a string (quote it): " + value));
        assertEquals("true", annotations.get("prometheus.io/scrape"), "prometheus.io/scrape");
        assertEquals(String.valueOf(containerPorts().get("http")), annotations.get("prometheus.io/port"),
                "prometheus.io/port must be the container port http, where GET /metrics is served");
        assertEquals("/metrics", annotations.get("prometheus.io/path"), "prometheus.io/path");
    }

    // ---- cluster formation ---------------------------------------------------------------

    @Test
    void nodesFormAClusterOnThePostgresJournal() {
        Map<String, Map<String, Object>> env = nodeEnv();
        assertEquals("kubernetes-api", literal(env.get("LEADFLAME_DISCOVERY")), "LEADFLAME_DISCOVERY");
        // The code refuses discovery with the embedded h2 journal.
        assertEquals("postgres", literal(env.get("LEADFLAME_JOURNAL")), "LEADFLAME_JOURNAL");
        assertEquals("status.podIP", string(env.get("CLUSTER_HOST"), "valueFrom.fieldRef.fieldPath"),
                "CLUSTER_HOST must be the pod IP (downward API), the address other nodes dial");
        assertEquals("metadata.namespace", string(env.get("POD_NAMESPACE"), "valueFrom.fieldRef.fieldPath"),
                "POD_NAMESPACE must come from the downward API");

        int required = Integer.parseInt(Objects.requireNonNull(literal(env.get("REQUIRED_CONTACT_POINTS")),
                "REQUIRED_CONTACT_POINTS is not set"));
        int minReplicas = integer(autoscaler().body(), "spec.minReplicas").orElse(1);
        assertTrue(required >= 2, "REQUIRED_CONTACT_POINTS below 2 lets one pod form a cluster of its own");
        assertTrue(required <= minReplicas, "REQUIRED_CONTACT_POINTS (" + required
                + ") above the HPA's minReplicas (" + minReplicas + "): a new cluster would never form");
    }

    @Test
    void labelSelectorSelectsExactlyTheNodes() {
        Map<String, String> selector = parseLabelSelector(literal(nodeEnv().get("LABEL_SELECTOR")));
        assertEquals(stringMap(at(deployment().body(), "spec.selector.matchLabels")), selector,
                "LABEL_SELECTOR must be the Deployment's selector");
        assertSelectsOnlyTheNodes(selector, "LABEL_SELECTOR");
    }

    @Test
    void deploymentSelectsItsOwnPods() {
        Map<String, String> selector = stringMap(at(deployment().body(), "spec.selector.matchLabels"));
        assertFalse(selector.isEmpty(), "the Deployment has no spec.selector.matchLabels");
        assertSelectsOnlyTheNodes(selector, "the Deployment's selector");
    }

    @Test
    void podReaderRoleIsBoundToTheNodesServiceAccount() {
        String account = string(nodePod().spec(), "serviceAccountName");
        assertNotNull(account, "the Deployment runs as the default ServiceAccount: give it its own");
        assertTrue(ofKind("ServiceAccount").stream().anyMatch(doc -> doc.name().equals(account)),
                "ServiceAccount " + account + " is not in k8s/");
        String namespace = string(kustomization, "namespace");

        List<String> boundRoles = new ArrayList<>();
        for (Doc binding : ofKind("RoleBinding")) {
            boolean bindsAccount = maps(at(binding.body(), "subjects")).stream().anyMatch(subject ->
                    "ServiceAccount".equals(subject.get("kind")) && account.equals(subject.get("name"))
                            && (subject.get("namespace") == null || namespace.equals(subject.get("namespace"))));
            if (bindsAccount && "Role".equals(string(binding.body(), "roleRef.kind"))) {
                boundRoles.add(string(binding.body(), "roleRef.name"));
            }
        }
        boolean canReadPods = ofKind("Role").stream()
                .filter(role -> boundRoles.contains(role.name()))
                .flatMap(role -> maps(at(role.body(), "rules")).stream())
                .anyMatch(rule -> strings(rule.get("apiGroups")).contains("")
                        && strings(rule.get("resources")).contains("pods")
                        && strings(rule.get("verbs")).containsAll(List.of("get", "watch", "list")));
        assertTrue(canReadPods, "no RoleBinding gives ServiceAccount " + account
                + " a Role that can get, watch and list pods (bound roles: " + boundRoles + ")");
    }

    // ---- traffic, disruption, scaling ----------------------------------------------------

    @Test
    void apiServiceSendsToTheNodesHttpPort() {
        Doc service = one("Service", DEPLOYMENT);
        Map<String, String> selector = stringMap(at(service.body(), "spec.selector"));
        assertFalse(selector.isEmpty(), "Service " + DEPLOYMENT + " has no selector");
        assertSelectsOnlyTheNodes(selector, "Service " + DEPLOYMENT);
        List<Map<String, Object>> ports = maps(at(service.body(), "spec.ports"));
        assertFalse(ports.isEmpty(), "Service " + DEPLOYMENT + " has no ports");
        for (Map<String, Object> port : ports) {
            assertEquals("http", String.valueOf(port.get("targetPort")),
                    "Service " + DEPLOYMENT + " must target the named container port http");
        }
    }

    @Test
    void disruptionBudgetAndAutoscalerTargetTheNodes() {
        Map<String, String> podSelector = stringMap(at(deployment().body(), "spec.selector.matchLabels"));
        List<Doc> budgets = ofKind("PodDisruptionBudget");
        assertEquals(1, budgets.size(), "one PodDisruptionBudget expected");
        Map<String, Object> budget = budgets.get(0).body();
        assertEquals(podSelector, stringMap(at(budget, "spec.selector.matchLabels")),
                "the PodDisruptionBudget must select the Deployment's pods");

        Doc hpa = autoscaler();
        assertEquals("autoscaling/v2", string(hpa.body(), "apiVersion"));
        assertEquals("apps/v1", string(hpa.body(), "spec.scaleTargetRef.apiVersion"));
        assertEquals("Deployment", string(hpa.body(), "spec.scaleTargetRef.kind"));
        assertEquals(DEPLOYMENT, string(hpa.body(), "spec.scaleTargetRef.name"));
        int min = integer(hpa.body(), "spec.minReplicas").orElse(1);
        int max = integer(hpa.body(), "spec.maxReplicas").orElseThrow();
        assertTrue(min >= 3, "minReplicas " + min + ": fewer than 3 nodes lose their majority with one node");
        assertTrue(max >= min, "maxReplicas below minReplicas");
        assertTrue(maps(at(hpa.body(), "spec.metrics")).stream()
                        .anyMatch(metric -> "cpu".equals(string(metric, "resource.name"))),
                "the HPA should scale on CPU");
        assertNotNull(at(nodeContainer(), "resources.requests.cpu"),
                "CPU utilization is measured against the container's CPU request: set one");
        integer(deployment().body(), "spec.replicas").ifPresent(replicas ->
                assertTrue(replicas >= min && replicas <= max, "spec.replicas outside the HPA's range"));

        // At the smallest size the budget must still allow a drain, and leave a majority up.
        int allowed;
        if (at(budget, "spec.maxUnavailable") != null) {
            allowed = integer(budget, "spec.maxUnavailable").orElseThrow(() ->
                    new AssertionError("use an absolute maxUnavailable"));
        } else {
            allowed = min - integer(budget, "spec.minAvailable").orElseThrow(() ->
                    new AssertionError("the PodDisruptionBudget sets neither maxUnavailable nor an absolute minAvailable"));
        }
        assertTrue(allowed >= 1, "the PodDisruptionBudget blocks every drain at " + min + " replicas");
        assertTrue(min - allowed > min / 2, "the PodDisruptionBudget lets a majority of " + min + " nodes go at once");
    }

    @Test
    void rollingUpdateNeverRunsBelowSize() {
        Map<String, Object> strategy = map(deployment().body(), "spec.strategy");
        assertEquals("RollingUpdate", strategy.get("type"), "Deployment strategy");
        assertEquals(0, integer(strategy, "rollingUpdate.maxUnavailable").orElse(-1), "rollingUpdate.maxUnavailable");
        assertTrue(integer(strategy, "rollingUpdate.maxSurge").orElse(0) >= 1, "rollingUpdate.maxSurge must be at least 1");
    }

    @Test
    void gracePeriodCoversAGracefulLeave() {
        // Phases run one after another; each is cut at its timeout. Their sum bounds a leave.
        Config shutdown = defaults.getConfig("pekko.coordinated-shutdown");
        Duration defaultTimeout = shutdown.getDuration("default-phase-timeout");
        Duration phases = Duration.ZERO;
        for (String phase : shutdown.getObject("phases").keySet()) {
            Config settings = shutdown.getConfig("phases").getConfig("\"" + phase + "\"");
            if (!settings.hasPath("enabled") || settings.getBoolean("enabled")) {
                phases = phases.plus(settings.hasPath("timeout") ? settings.getDuration("timeout") : defaultTimeout);
            }
        }
        Duration preStop = Duration.ofSeconds(preStopPauseSeconds(nodeContainer()));
        int grace = integer(nodePod().spec(), "terminationGracePeriodSeconds").orElse(30);
        assertTrue(Duration.ofSeconds(grace).compareTo(phases.plus(preStop)) >= 0,
                "terminationGracePeriodSeconds " + grace + " < preStop " + preStop.toSeconds()
                        + " s + coordinated shutdown's phases " + phases.toSeconds() + " s");
    }

    // ---- environment, JVM, resources, images ---------------------------------------------

    @Test
    void everyVariableSetIsOneTheServiceKnows() throws IOException {
        Set<String> known = new TreeSet<>(operationsVariables());
        known.addAll(envToKeys.keySet());
        known.addAll(variablesReadBySource());
        known.addAll(ALSO_KNOWN);
        Set<String> unknown = new TreeSet<>(nodeEnv().keySet());
        unknown.removeAll(known);
        assertTrue(unknown.isEmpty(), "the Deployment sets variables that neither OPERATIONS.md nor the code "
                + "knows (a typo?): " + unknown);
    }

    @Test
    void everyVariableSetIsReadByTheCode() throws IOException {
        Set<String> read = new TreeSet<>(envToKeys.keySet());
        read.addAll(variablesReadBySource());
        Set<String> unread = new TreeSet<>(nodeEnv().keySet());
        unread.remove("JAVA_TOOL_OPTIONS"); // read by the JVM
        unread.removeAll(read);
        assertTrue(unread.isEmpty(), "the Deployment sets variables no conf/ key or code reads: " + unread);
    }

    @Test
    void jvmSizesItsHeapFromTheContainerLimit() {
        String options = literal(nodeEnv().get("JAVA_TOOL_OPTIONS"));
        assertNotNull(options, "JAVA_TOOL_OPTIONS is not set");
        assertTrue(options.contains("-XX:MaxRAMPercentage="), "size the heap with -XX:MaxRAMPercentage: " + options);
        assertFalse(options.matches(".*-Xm[xs]\\S*.*"), "a fixed -Xmx/-Xms ignores the memory limit: " + options);
        assertTrue(options.contains("-XX:+ExitOnOutOfMemoryError"), "a JVM out of memory should exit and be restarted");
        assertNotNull(at(nodeContainer(), "resources.limits.memory"), "MaxRAMPercentage needs a memory limit");
    }

    @Test
    void everyContainerHasRequestsAndLimits() {
        for (PodTemplate pod : podTemplates()) {
            for (Map<String, Object> container : pod.containers()) {
                for (String path : List.of("requests.cpu", "requests.memory", "limits.cpu", "limits.memory")) {
                    assertNotNull(at(container, "resources." + path),
                            pod.owner() + " container " + container.get("name") + " has no resources." + path);
                }
            }
        }
    }

    @Test
    void imagesArePinned() throws IOException {
        List<String> images = new ArrayList<>();
        for (PodTemplate pod : podTemplates()) {
            pod.containers().forEach(container -> images.add(String.valueOf(container.get("image"))));
        }
        for (Map<String, Object> image : maps(kustomization.get("images"))) {
            Object tag = image.get("newTag");
            assertTrue(tag == null || !"latest".equals(String.valueOf(tag)), "kustomization images: newTag latest");
        }
        Set<String> stages = new TreeSet<>();
        for (String line : Files.readAllLines(DOCKERFILE)) {
            Matcher from = Pattern.compile("(?i)^\\s*FROM\\s+(?:--\\S+\\s+)*(\\S+)(?:\\s+AS\\s+(\\S+))?").matcher(line);
            if (from.find()) {
                if (!stages.contains(from.group(1))) {
                    images.add(from.group(1));
                }
                if (from.group(2) != null) {
                    stages.add(from.group(2));
                }
            }
        }
        assertFalse(images.isEmpty(), "no image found");
        for (String image : images) {
            assertTrue(isPinned(image), "image " + image + " must carry a fixed tag (not latest) or a digest");
        }
    }

    @Test
    void dockerImageMatchesTheDeployment() throws IOException {
        String dockerfile = Files.readString(DOCKERFILE);
        Set<Integer> exposed = new TreeSet<>();
        Matcher expose = Pattern.compile("(?im)^\\s*EXPOSE\\s+(.+)$").matcher(dockerfile);
        while (expose.find()) {
            for (String port : expose.group(1).trim().split("\\s+")) {
                exposed.add(Integer.parseInt(port.replaceAll("/.*", "")));
            }
        }
        assertEquals(new TreeSet<>(containerPorts().values()), exposed, "Dockerfile EXPOSE vs the container ports");

        Matcher user = Pattern.compile("(?im)^\\s*USER\\s+(\\S+)").matcher(dockerfile);
        String lastUser = null;
        while (user.find()) {
            lastUser = user.group(1);
        }
        assertNotNull(lastUser, "the image runs as root: add a USER");
        String uid = lastUser.split(":")[0];
        assertFalse(uid.equals("root") || uid.equals("0"), "the image runs as root");
        integer(nodePod().spec(), "securityContext.runAsUser").ifPresent(runAs ->
                assertEquals(String.valueOf(runAs), uid, "the pod's runAsUser must be the image's USER"));
        assertTrue(dockerfile.contains("leadflame.jar"), "the image does not run leadflame.jar");
    }

    // ---- credentials ---------------------------------------------------------------------

    @Test
    void secretsComeOnlyFromSecretReferences() {
        assertTrue(ofKind("Secret").isEmpty(), "a Secret is in the repository: " + ofKind("Secret"));
        Object generators = kustomization.get("secretGenerator");
        for (Map<String, Object> generator : maps(generators)) {
            assertTrue(strings(generator.get("literals")).isEmpty(),
                    "kustomization secretGenerator with literal values: " + generator.get("name"));
        }
        for (PodTemplate pod : podTemplates()) {
            for (Map<String, Object> container : pod.containers()) {
                for (Map<String, Object> env : maps(container.get("env"))) {
                    String name = String.valueOf(env.get("name"));
                    if (SECRET_NAME.matcher(name).matches()) {
                        assertNotNull(at(env, "valueFrom.secretKeyRef"),
                                pod.owner() + ": " + name + " must come from a secretKeyRef, not a value");
                    }
                }
            }
        }
        for (Doc configMap : ofKind("ConfigMap")) {
            stringMap(at(configMap.body(), "data")).forEach((key, value) -> {
                assertFalse(SECRET_NAME.matcher(key).matches(), configMap + " holds a secret: " + key);
                assertFalse(value.toLowerCase().contains("password="), configMap + ": " + key + " carries a password");
            });
        }
        for (Doc doc : docs) {
            literalPasswords(doc.body(), "").forEach(path -> fail(doc + " has a literal password at " + path));
        }
    }

    @Test
    void databaseCredentialsAndAddressAreShared() throws IOException {
        Map<String, Map<String, Object>> node = nodeEnv();
        PodTemplate postgres = podTemplates().stream()
                .filter(pod -> pod.containers().stream().anyMatch(c -> String.valueOf(c.get("image")).startsWith("postgres:")))
                .findFirst().orElseThrow(() -> new AssertionError("no PostgreSQL workload in k8s/"));
        Map<String, Map<String, Object>> db = envByName(postgres.containers().stream()
                .filter(c -> String.valueOf(c.get("image")).startsWith("postgres:")).findFirst().orElseThrow());

        assertEquals(secretRef(node.get("JDBC_USER")), secretRef(db.get("POSTGRES_USER")),
                "JDBC_USER and POSTGRES_USER must come from the same Secret key");
        assertEquals(secretRef(node.get("JDBC_PASSWORD")), secretRef(db.get("POSTGRES_PASSWORD")),
                "JDBC_PASSWORD and POSTGRES_PASSWORD must come from the same Secret key");

        // The README tells how to create every Secret key the manifests read.
        String readme = Files.readString(K8S_README);
        for (Map<String, Map<String, Object>> env : List.of(node, db)) {
            for (Map<String, Object> variable : env.values()) {
                String secret = string(variable, "valueFrom.secretKeyRef.name");
                if (secret != null) {
                    String key = string(variable, "valueFrom.secretKeyRef.key");
                    assertTrue(readme.contains(secret) && readme.contains(key),
                            "k8s/README.md does not say how to create Secret " + secret + " key " + key);
                }
            }
        }

        // JDBC_URL names the in-namespace database by its Service, port and database name.
        String url = configMapValue(node.get("JDBC_URL"));
        Matcher jdbc = Pattern.compile("^jdbc:postgresql://([^:/?]+)(?::(\\d+))?/([^?]+)(\\?.*)?$").matcher(url);
        assertTrue(jdbc.matches(), "JDBC_URL is not a PostgreSQL URL: " + url);
        Doc service = one("Service", jdbc.group(1));
        int port = jdbc.group(2) == null ? 5432 : Integer.parseInt(jdbc.group(2));
        assertTrue(maps(at(service.body(), "spec.ports")).stream().anyMatch(p -> Objects.equals(p.get("port"), port)),
                service + " has no port " + port + " for JDBC_URL");
        assertEquals(postgres.labels(), stringMap(at(service.body(), "spec.selector")),
                service + " must select the PostgreSQL pods");
        assertEquals(jdbc.group(3), literal(db.get("POSTGRES_DB")), "JDBC_URL's database vs POSTGRES_DB");
        assertEquals(service.name(), string(postgres.owner().body(), "spec.serviceName"),
                "the PostgreSQL StatefulSet's serviceName");
        assertEquals("None", string(service.body(), "spec.clusterIP"), service + " must be headless");
    }

    // ---- helpers: the documents --------------------------------------------------------------

    private static List<Path> manifestFiles() throws IOException {
        try (Stream<Path> files = Files.walk(K8S)) {
            return files.filter(Files::isRegularFile)
                    .filter(file -> file.toString().endsWith(".yaml") || file.toString().endsWith(".yml"))
                    .filter(file -> !file.getFileName().toString().startsWith("kustomization."))
                    .sorted()
                    .toList();
        }
    }

    private static List<Doc> ofKind(String kind) {
        return docs.stream().filter(doc -> kind.equals(doc.kind())).toList();
    }

    private static Doc one(String kind, String name) {
        return ofKind(kind).stream().filter(doc -> name.equals(doc.name())).findFirst()
                .orElseThrow(() -> new AssertionError(kind + "/" + name + " is not in k8s/"));
    }

    private static Doc deployment() {
        return one("Deployment", DEPLOYMENT);
    }

    private static Doc autoscaler() {
        return ofKind("HorizontalPodAutoscaler").stream()
                .filter(doc -> DEPLOYMENT.equals(string(doc.body(), "spec.scaleTargetRef.name")))
                .findFirst().orElseThrow(() -> new AssertionError("no HorizontalPodAutoscaler for Deployment " + DEPLOYMENT));
    }

    private static PodTemplate nodePod() {
        return new PodTemplate(deployment(), map(deployment().body(), "spec.template"));
    }

    private static Map<String, Object> nodeContainer() {
        return maps(at(nodePod().spec(), "containers")).stream()
                .filter(container -> CONTAINER.equals(container.get("name"))).findFirst()
                .orElseThrow(() -> new AssertionError("Deployment " + DEPLOYMENT + " has no container " + CONTAINER));
    }

    private static Map<String, Map<String, Object>> nodeEnv() {
        return envByName(nodeContainer());
    }

    private static Map<String, Map<String, Object>> envByName(Map<String, Object> container) {
        Map<String, Map<String, Object>> env = new LinkedHashMap<>();
        for (Map<String, Object> variable : maps(container.get("env"))) {
            assertNull(env.put(String.valueOf(variable.get("name")), variable),
                    "env " + variable.get("name") + " set twice");
        }
        return env;
    }

    private static Map<String, Integer> containerPorts() {
        Map<String, Integer> ports = new TreeMap<>();
        for (Map<String, Object> port : maps(nodeContainer().get("ports"))) {
            ports.put(String.valueOf(port.get("name")), integer(port, "containerPort").orElseThrow());
        }
        return ports;
    }

    private static List<PodTemplate> podTemplates() {
        List<PodTemplate> pods = new ArrayList<>();
        for (Doc doc : docs) {
            switch (doc.kind()) {
                case "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job" ->
                        pods.add(new PodTemplate(doc, map(doc.body(), "spec.template")));
                case "CronJob" -> pods.add(new PodTemplate(doc, map(doc.body(), "spec.jobTemplate.spec.template")));
                case "Pod" -> pods.add(new PodTemplate(doc, doc.body()));
                default -> {
                }
            }
        }
        return pods;
    }

    /** The selector matches the Deployment's pods and no other pod template in k8s/. */
    private static void assertSelectsOnlyTheNodes(Map<String, String> selector, String what) {
        for (PodTemplate pod : podTemplates()) {
            boolean selects = pod.labels().entrySet().containsAll(selector.entrySet());
            boolean isNode = pod.owner().equals(deployment());
            assertEquals(isNode, selects, what + " " + selector + (isNode ? " does not select " : " also selects ")
                    + pod.owner() + " labelled " + pod.labels());
        }
    }

    private static Map<String, String> parseLabelSelector(String selector) {
        assertNotNull(selector, "LABEL_SELECTOR is not set");
        Map<String, String> labels = new TreeMap<>();
        for (String term : selector.split(",")) {
            String[] keyValue = term.trim().split("==?", 2);
            assertEquals(2, keyValue.length, "only key=value terms are checked: " + term);
            labels.put(keyValue[0].trim(), keyValue[1].trim());
        }
        return labels;
    }

    private static int preStopPauseSeconds(Map<String, Object> container) {
        Optional<Integer> sleep = integer(container, "lifecycle.preStop.sleep.seconds");
        if (sleep.isPresent()) {
            return sleep.get();
        }
        List<String> command = strings(at(container, "lifecycle.preStop.exec.command"));
        if (command.size() == 2 && command.get(0).equals("sleep")) {
            return Integer.parseInt(command.get(1));
        }
        assertTrue(command.isEmpty(), "a preStop command the test cannot time: " + command);
        return 0;
    }

    private static boolean isPinned(String image) {
        if (image.contains("@sha256:")) {
            return true;
        }
        int slash = image.lastIndexOf('/');
        int colon = image.lastIndexOf(':');
        if (colon <= slash) {
            return false; // no tag: the registry's latest
        }
        String tag = image.substring(colon + 1);
        return !tag.isBlank() && !tag.equals("latest");
    }

    private static String literal(Map<String, Object> variable) {
        return variable == null || variable.get("value") == null ? null : String.valueOf(variable.get("value"));
    }

    private static String secretRef(Map<String, Object> variable) {
        assertNotNull(variable, "a credential variable is missing");
        String name = string(variable, "valueFrom.secretKeyRef.name");
        String key = string(variable, "valueFrom.secretKeyRef.key");
        assertNotNull(name, variable.get("name") + " is not from a secretKeyRef");
        return name + "/" + key;
    }

    private static String configMapValue(Map<String, Object> variable) {
        assertNotNull(variable, "JDBC_URL is not set");
        String name = string(variable, "valueFrom.configMapKeyRef.name");
        String key = string(variable, "valueFrom.configMapKeyRef.key");
        assertNotNull(name, variable.get("name") + " is not from a configMapKeyRef");
        String value = stringMap(at(one("ConfigMap", name).body(), "data")).get(key);
        assertNotNull(value, "ConfigMap " + name + " has no key " + key);
        return value;
    }

    /** Paths of scalar values under a key that names a password, anywhere in a document. */
    private static List<String> literalPasswords(Object node, String path) {
        List<String> found = new ArrayList<>();
        if (node instanceof Map<?, ?> map) {
            map.forEach((key, value) -> {
                String child = path + "/" + key;
                if (String.valueOf(key).toLowerCase().contains("password") && !(value instanceof Map || value instanceof List)
                        && value != null && !String.valueOf(value).isEmpty()) {
                    found.add(child);
                }
                found.addAll(literalPasswords(value, child));
            });
        } else if (node instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                found.addAll(literalPasswords(list.get(i), path + "[" + i + "]"));
            }
        }
        return found;
    }

    // ---- helpers: what the code reads ------------------------------------------------------

    private void assertReads(String variable, String key) {
        assertTrue(envToKeys.getOrDefault(variable, Set.of()).contains(key),
                variable + " does not set " + key + " in conf/ (it sets " + envToKeys.get(variable) + ")");
    }

    /**
     * Resolves the configuration with every {@code ${?ENV}} answered by a marker naming the
     * variable, then finds the keys that took a marker as their whole value.
     */
    private static Map<String, Set<String>> envVariablesReadByConfig(Config unresolved) {
        String marker = "\u0000env:";
        ConfigResolver recorder = new ConfigResolver() {
            @Override
            public ConfigValue lookup(String path) {
                return ConfigValueFactory.fromAnyRef(marker + path);
            }

            @Override
            public ConfigResolver withFallback(ConfigResolver fallback) {
                return this;
            }
        };
        Config marked = unresolved.resolve(ConfigResolveOptions.noSystem().appendResolver(recorder));
        Map<String, Set<String>> read = new HashMap<>();
        for (Map.Entry<String, ConfigValue> entry : marked.entrySet()) {
            if (entry.getValue().unwrapped() instanceof String value && value.startsWith(marker)) {
                read.computeIfAbsent(value.substring(marker.length()), v -> new TreeSet<>()).add(entry.getKey());
            }
        }
        return read;
    }

    private static Set<String> variablesReadBySource() throws IOException {
        Pattern getenv = Pattern.compile("getenv\\(\\s*\"([A-Za-z0-9_]+)\"\\s*\\)");
        Set<String> read = new TreeSet<>();
        try (Stream<Path> files = Files.walk(MAIN_SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                Matcher matcher = getenv.matcher(Files.readString(file));
                while (matcher.find()) {
                    read.add(matcher.group(1));
                }
            }
        }
        return read;
    }

    /** The variables of OPERATIONS.md's table (first column), or the copy above without ../shared. */
    private static Set<String> operationsVariables() throws IOException {
        if (!Files.isRegularFile(OPERATIONS)) {
            return OPERATIONS_FALLBACK;
        }
        Set<String> names = new TreeSet<>();
        Pattern name = Pattern.compile("`([A-Z][A-Z0-9_]+)`");
        for (String line : Files.readAllLines(OPERATIONS)) {
            String[] cells = line.split("\\|");
            if (line.trim().startsWith("|") && cells.length > 1) {
                Matcher matcher = name.matcher(cells[1]);
                while (matcher.find()) {
                    names.add(matcher.group(1));
                }
            }
        }
        assertFalse(names.isEmpty(), OPERATIONS + " has no table of variables any more");
        return names;
    }

    // ---- helpers: walking parsed YAML ------------------------------------------------------

    /** The value at a dotted path of nested mappings, or null. */
    private static Object at(Object node, String path) {
        Object current = node;
        for (String part : path.split("\\.")) {
            if (!(current instanceof Map<?, ?> map)) {
                return null;
            }
            current = map.get(part);
        }
        return current;
    }

    private static String string(Object node, String path) {
        Object value = at(node, path);
        return value == null ? null : String.valueOf(value);
    }

    private static Optional<Integer> integer(Object node, String path) {
        Object value = at(node, path);
        if (value == null) {
            return Optional.empty();
        }
        assertTrue(value instanceof Integer, path + " is not a whole number: " + value);
        return Optional.of((Integer) value);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object node) {
        return node instanceof Map ? (Map<String, Object>) node : Map.of();
    }

    private static Map<String, Object> map(Object node, String path) {
        return map(at(node, path));
    }

    private static List<Map<String, Object>> maps(Object node) {
        if (!(node instanceof List<?> list)) {
            return List.of();
        }
        return list.stream().map(KubernetesManifestsTest::map).toList();
    }

    private static List<String> strings(Object node) {
        if (!(node instanceof List<?> list)) {
            return List.of();
        }
        return list.stream().map(String::valueOf).toList();
    }

    private static Map<String, String> stringMap(Object node) {
        Map<String, String> strings = new TreeMap<>();
        map(node).forEach((key, value) -> strings.put(key, String.valueOf(value)));
        return strings;
    }
}
