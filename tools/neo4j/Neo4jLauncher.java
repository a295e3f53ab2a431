// Neo4jLauncher runs an embedded Neo4j 5.26 Community DBMS with a Bolt listener on loopback, for local
// development and tests only (authentication is disabled). It is a single-file program:
//
//   java -cp 'tools/neo4j/target/lib/*' tools/neo4j/Neo4jLauncher.java HOME PORT [key=value ...]
//
// (neo4j.sh compiles it once into tools/neo4j/target/launcher.jar instead, which saves about 2 s per start.)
// With -Dneo4j.launcher.exitWhenReady=true it shuts down and exits 0 right after NEO4J_READY; neo4j.sh
// uses that to record a class-data-sharing archive (PORT 0 means any free port).
// HOME holds conf/neo4j.conf (rewritten on every start), data/ and logs/debug.log. Extra key=value
// arguments are Neo4j settings and override the defaults below; a misspelt key aborts the start
// (strict config validation). "NEO4J_READY" is printed once the default database answers a query;
// SIGTERM shuts the DBMS down cleanly (checkpoint) and prints "NEO4J_STOPPED".
// tools/neo4j/neo4j.sh wraps this with start/stop/status.

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.logging.Level;
import org.neo4j.logging.log4j.Log4jLogProvider;

public class Neo4jLauncher {
    private static volatile DatabaseManagementService dbms;

    public static void main(String[] args) {
        if (args.length < 2) {
            System.err.println("usage: java -cp 'lib/*' Neo4jLauncher.java HOME PORT [key=value ...]");
            System.exit(2);
        }
        try {
            run(args);
        } catch (Throwable t) {
            System.out.flush();
            System.err.println("NEO4J_FAILED: " + t);
            t.printStackTrace();
            System.err.println("(details: " + Path.of(args[0]).toAbsolutePath().resolve("logs/debug.log") + ")");
            System.exit(1); // non-daemon Neo4j threads would otherwise keep the JVM alive
        }
    }

    private static void run(String[] args) throws Exception {
        Path home = Path.of(args[0]).toAbsolutePath().normalize();
        int port = Integer.parseInt(args[1]);
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("PORT out of range: " + port);
        }

        Map<String, String> conf = new LinkedHashMap<>();
        conf.put("server.bolt.enabled", "true"); // embedded default: off
        conf.put("server.bolt.listen_address", "127.0.0.1:" + port);
        conf.put("server.bolt.advertised_address", "127.0.0.1:" + port);
        conf.put("server.bolt.tls_level", "DISABLED");
        conf.put("dbms.security.auth_enabled", "false"); // local dev/test only, loopback listener
        conf.put("dbms.usage_report.enabled", "false");
        conf.put("dbms.routing.enabled", "false"); // no second listener on :7688
        conf.put("server.http.enabled", "false");
        conf.put("server.https.enabled", "false");
        conf.put("server.memory.pagecache.size", "256m");
        conf.put("db.tx_log.preallocate", "false"); // else 256 MiB per database on disk up front
        conf.put("server.config.strict_validation.enabled", "true"); // unknown keys fail loudly
        // Bolt's Netty event loops wait a 5 s quiet period, twice, after the databases have stopped and
        // checkpointed; 0 makes a clean stop take about 1 s instead of 11 s (internal 5.26 setting).
        conf.put("internal.dbms.bolt.netty_server_shutdown_quiet_period", "0");
        for (int i = 2; i < args.length; i++) {
            String[] kv = args[i].split("=", 2);
            if (kv.length != 2 || kv[0].isBlank()) {
                throw new IllegalArgumentException("expected key=value, got: " + args[i]);
            }
            conf.put(kv[0].trim(), kv[1].trim());
        }

        Path confFile = Files.createDirectories(home.resolve("conf")).resolve("neo4j.conf");
        List<String> lines = new ArrayList<>();
        lines.add("# Written by tools/neo4j/Neo4jLauncher.java on every start; edits are lost.");
        conf.forEach((k, v) -> lines.add(k + "=" + v));
        Files.write(confFile, lines);

        // Registered before build(): a SIGTERM during start-up exits without a checkpoint (recovery
        // runs on the next start); after build() it shuts the DBMS down cleanly.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            DatabaseManagementService d = dbms;
            if (d != null) {
                System.out.println("neo4j: shutting down");
                d.shutdown();
                System.out.println("NEO4J_STOPPED");
                System.out.flush();
            }
        }, "neo4j-shutdown"));

        long t0 = System.nanoTime();
        System.out.println("neo4j: starting, home=" + home + " bolt=127.0.0.1:" + port);
        dbms = new DatabaseManagementServiceBuilder(home)
                .setUserLogProvider(new Log4jLogProvider(System.out, Level.INFO))
                .loadPropertiesFromFile(confFile)
                .build();

        String name = conf.getOrDefault("initial.dbms.default_database", "neo4j");
        GraphDatabaseService db = dbms.database(name);
        if (!db.isAvailable(180_000)) {
            throw new IllegalStateException("database '" + name + "' not available after 180 s");
        }
        db.executeTransactionally("RETURN 1");
        System.out.printf("neo4j: database '%s' available after %.1f s%n", name, (System.nanoTime() - t0) / 1e9);
        System.out.println("NEO4J_READY bolt://127.0.0.1:" + port);
        System.out.flush();
        if (Boolean.getBoolean("neo4j.launcher.exitWhenReady")) {
            DatabaseManagementService d = dbms;
            dbms = null;
            d.shutdown();
            System.exit(0);
        }
        Thread.currentThread().join();
    }
}
