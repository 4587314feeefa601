package dev.gatehouse.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docs/configuration.md and reference.conf against the schema the validator uses, so neither can drift. */
class DocumentationTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private static String read(String relative) throws Exception {
        return Files.readString(ROOT.resolve(relative));
    }

    @Test
    void everyKeyIsDocumentedAndEveryDocumentedKeyExists() throws Exception {
        String doc = read("docs/configuration.md");
        List<String> schema = Schema.documentedPaths();
        for (String path : schema) {
            assertThat(doc).as("docs/configuration.md documents %s", path).contains("`" + path + "`");
        }
        Set<String> mentioned = new TreeSet<>();
        Matcher m = Pattern.compile("`(gatehouse\\.[a-z0-9.\\[\\]-]+)`").matcher(doc);
        while (m.find()) {
            mentioned.add(m.group(1));
        }
        assertThat(schema).as("keys docs/configuration.md mentions").containsAll(mentioned);
        for (String rule : Schema.RULE_KEYS) {
            assertThat(doc).contains("| `" + rule + "` |");
        }
    }

    @Test
    void referenceConfHasEveryKeyAndNothingElse() throws Exception {
        String text = read("config/src/main/resources/reference.conf");
        com.typesafe.config.Config ref = GatehouseConfig.reference();
        for (String path : Schema.documentedPaths()) {
            String key = path.substring(path.lastIndexOf('.') + 1).replace("[]", "");
            if (path.contains("[]")) {
                // List elements have no defaults a HOCON file can hold; reference.conf documents them in comments.
                assertThat(text).as("reference.conf documents %s", path)
                        .containsPattern("(?m)^\\s*#\\s+" + Pattern.quote(key) + "\\s+[={]");
            } else if (!path.startsWith("gatehouse.limits.max-conn") && !path.contains("-topic-")
                    && !path.contains("keep-alive") || path.endsWith("server-keep-alive")) {
                assertThat(ref.hasPathOrNull(path)).as("reference.conf sets %s", path).isTrue();
            } else {
                assertThat(text).as("reference.conf names unsupported %s", path).contains(key);
            }
        }
        // The reference itself passes the unknown-key check.
        Problems p = new Problems();
        Schema.checkKeys("", ref.root(), Schema.ROOT, p);
        assertThat(p.list()).isEmpty();
    }

    @Test
    void readmeKeepsItsTwoCommandsAndLinksTheConfigurationPage() throws Exception {
        String readme = read("README.md");
        assertThat(readme).contains("mvn -B -ntp -DskipTests package && java -jar app/target/gatehouse.jar")
                .contains("mvn -B -ntp verify").contains("docs/configuration.md");
    }
}
