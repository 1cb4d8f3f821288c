// Starts DynamoDB Local (DynamoDBLocal.jar on the class path) listening on 127.0.0.1 only; it has no bind option of its own.
//
// Run as a single-file source program: java -Djava.library.path=<lib> -cp <DynamoDBLocal.jar> DynamoDbLoopback.java <its options>
// It takes DynamoDB Local's own options (-port, -dbPath, -sharedDb) and builds the server exactly as its main class does,
// then, before starting it, binds each of its Jetty connectors to the loopback address, so that no other machine can
// reach the database (which holds every integration key) whatever the host's firewall does.

import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

public class DynamoDbLoopback {
  private static final String LOOPBACK = "127.0.0.1";

  public static void main(String[] args) throws Exception {
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    // DynamoDBProxyServer keeps its Jetty server in a private field and offers no way to set the host.
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    Server jetty = (Server) field.get(proxy);
    int bound = 0;
    for (Connector connector : jetty.getConnectors()) {
      if (connector instanceof ServerConnector) {
        ((ServerConnector) connector).setHost(LOOPBACK);
        bound++;
      }
    }
    // Refuse to start open to the network if a later DynamoDB Local builds its server differently.
    if (bound == 0 || bound != jetty.getConnectors().length) {
      System.err.println("DynamoDbLoopback: DynamoDB Local's connectors are not the expected Jetty ServerConnectors; not starting it");
      System.exit(3);
    }
    proxy.start();
    System.out.println("DynamoDB Local listening on " + LOOPBACK);
  }
}
