package dev.tollgate.ledger;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.Callable;

import dev.tollgate.audit.RecordText;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.util.PublicKeyFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code audit verify}: checks a decision export against signed checkpoints with no database and
 * no server (docs/audit.md, "Verifying offline"). It recomputes every record's chain hash and Merkle
 * leaf from the export's {@code hashedRecord}, rebuilds the tree in sequence order, and checks that
 * at each checkpoint's tree size the root is the checkpoint's, whose signature must verify with a
 * checkpoint key from the keys document ({@code GET /v1/audit/keys}). Several checkpoints (an older
 * and a newer one) are all checked against the one tree, which is their consistency.
 * <p>
 * Exit status: 0 verified, 1 not verified (the reason is printed), 2 unusable arguments or files.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Verify a decision export (NDJSON) against signed checkpoints, offline.")
public class AuditVerifyCommand implements Callable<Integer> {

    @Option(names = "--export", required = true, description = "the NDJSON export of GET /v1/decisions/export (unfiltered)")
    Path export;

    @Option(names = "--checkpoint", required = true, description = "a checkpoint (signed note); may be given more than once")
    List<Path> checkpoints;

    @Option(names = "--keys", required = true, description = "the keys document of GET /v1/audit/keys")
    Path keys;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Runs the command on its own: {@code java -cp tollgate.jar … dev.tollgate.ledger.AuditVerifyCommand --export …}. */
    public static void main(String[] args) {
        System.exit(new CommandLine(new AuditVerifyCommand()).execute(args));
    }

    /** A verification that did not hold. */
    static final class NotVerified extends Exception {
        NotVerified(String message) {
            super(message, null, false, false);
        }
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        JsonMapper json = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
        List<SigningKeys.CheckpointKey> checkpointKeys;
        TreeMap<Long, Checkpoint> bySize = new TreeMap<>();
        try {
            checkpointKeys = checkpointKeys(json.readTree(Files.readString(keys, StandardCharsets.UTF_8)));
            for (Path file : checkpoints) {
                try {
                    Checkpoint c = Checkpoint.verify(Files.readString(file, StandardCharsets.UTF_8), checkpointKeys);
                    Checkpoint other = bySize.put(c.size(), c);
                    if (other != null && !Arrays.equals(other.root(), c.root())) {
                        return notVerified(err, "two checkpoints of size " + c.size() + " have different roots: the log forked");
                    }
                    out.println("checkpoint " + file + ": signature verified (" + c.origin() + ", size " + c.size() + ")");
                } catch (Checkpoint.Invalid e) {
                    return notVerified(err, "checkpoint " + file + ": " + e.getMessage());
                }
            }
        } catch (IOException | RuntimeException e) {
            err.println("cannot read the keys or a checkpoint: " + e.getMessage());
            return 2;
        }
        try {
            long records = verify(json, bySize, out);
            out.println("verified: " + records + " records; every checkpoint's root recomputed from the export");
            return 0;
        } catch (NotVerified e) {
            return notVerified(err, e.getMessage());
        } catch (IOException e) {
            err.println("cannot read the export: " + e.getMessage());
            return 2;
        }
    }

    private static int notVerified(PrintWriter err, String why) {
        err.println("NOT VERIFIED: " + why);
        return 1;
    }

    private long verify(JsonMapper json, TreeMap<Long, Checkpoint> bySize, PrintWriter out) throws IOException, NotVerified {
        Merkle.Frontier tree = new Merkle.Frontier();
        String previous = "0".repeat(64);
        try (BufferedReader reader = Files.newBufferedReader(export, StandardCharsets.UTF_8)) {
            String line;
            long lineNumber = 0;
            while ((line = reader.readLine()) != null) {
                lineNumber++;
                if (line.isEmpty()) {
                    continue;
                }
                JsonNode entry = json.readTree(line);
                JsonNode hashed = entry.get("hashedRecord");
                if (hashed == null || !hashed.isObject()) {
                    throw new NotVerified("line " + lineNumber + " has no hashedRecord (an export from before the ledger?)");
                }
                long sequence = hashed.path("sequence").asLong(-1);
                if (sequence != tree.size() + 1 || entry.path("leafIndex").asLong(-1) != tree.size()) {
                    throw new NotVerified("line " + lineNumber + " is sequence " + sequence + ", expected " + (tree.size() + 1)
                            + ": the export must be complete and unfiltered, in sequence order");
                }
                String text = RecordText.canonical(hashed);
                if (!previous.equals(hashed.path("previousHash").asString(""))
                        || !RecordText.chainHash(previous, text).equals(entry.path("hash").asString(""))) {
                    throw new NotVerified("the record at sequence " + sequence + " does not continue the hash chain");
                }
                previous = entry.path("hash").asString();
                tree.append(Merkle.leafHash(text));
                Checkpoint c = bySize.get(tree.size());
                if (c != null) {
                    if (!Arrays.equals(tree.root(), c.root())) {
                        throw new NotVerified("the export's tree of size " + c.size() + " does not have the root of the signed"
                                + " checkpoint: records up to sequence " + c.size() + " were changed after it was signed");
                    }
                    out.println("tree size " + c.size() + ": root matches the checkpoint");
                }
            }
        }
        if (tree.size() < bySize.lastKey()) {
            throw new NotVerified("the export holds " + tree.size() + " records, fewer than the checkpoint's " + bySize.lastKey());
        }
        return tree.size();
    }

    /** The checkpoint keys of a keys document. */
    static List<SigningKeys.CheckpointKey> checkpointKeys(JsonNode document) throws IOException {
        List<SigningKeys.CheckpointKey> out = new ArrayList<>();
        for (JsonNode key : document.path("keys")) {
            if (!key.path("purpose").asString("").equals("checkpoint")) {
                continue;
            }
            Object pem = SigningKeys.readPem(key.path("publicKey").asString(""));
            if (!(pem instanceof SubjectPublicKeyInfo spki) || !(PublicKeyFactory.createKey(spki) instanceof Ed25519PublicKeyParameters p)) {
                throw new IOException("checkpoint key " + key.path("id").asString("?") + " is not an Ed25519 public key");
            }
            out.add(SigningKeys.checkpointKey(key.path("name").asString(""), p.getEncoded(), null, false));
        }
        if (out.isEmpty()) {
            throw new IOException("the keys document holds no checkpoint key");
        }
        return out;
    }
}
