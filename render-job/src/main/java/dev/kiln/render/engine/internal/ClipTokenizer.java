package dev.kiln.render.engine.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CLIP's byte-level BPE tokenizer, reading a Hugging Face {@code tokenizer/} directory
 * ({@code vocab.json}, {@code merges.txt}, optional {@code tokenizer_config.json} and
 * {@code special_tokens_map.json}).
 *
 * <p>Encoding matches {@code models/kiln-tiny/train/tokenizer.py} (and openai/CLIP's
 * simple_tokenizer without ftfy/HTML clean-up): runs of whitespace become one space, the text is
 * trimmed and lower-cased, split with CLIP's pre-tokenising pattern, each piece is UTF-8 encoded and
 * mapped byte by byte to printable characters, {@code </w>} marks the last symbol of a word, and
 * adjacent symbol pairs are merged lowest rank first. The result is always {@link #maxLength()} ids:
 * bos, the word ids, eos, then pad. A long prompt is cut so that eos stays the last non-pad id.
 *
 * <p>Instances are immutable apart from a bounded word cache and are safe to share between threads.
 */
public final class ClipTokenizer {
  public static final String DEFAULT_BOS = "<|startoftext|>";
  public static final String DEFAULT_EOS = "<|endoftext|>";
  public static final int DEFAULT_MAX_LENGTH = 77;

  /** Python's {@code str.isspace()} set, which {@code re}'s {@code \s} uses; Java's {@code \s} lacks U+001C..U+001F. */
  private static final String WS =
      "\\t\\n\\x0B\\f\\r\\x1C-\\x20\\x85\\xA0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000";
  private static final Pattern WHITESPACE = Pattern.compile("[" + WS + "]+");
  // UNICODE_CASE mirrors Python's re.IGNORECASE on str patterns, where [a-z] also matches e.g. U+017F.
  private static final Pattern PIECES = Pattern.compile(
      "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[a-zA-Z]+|[0-9]|[^" + WS + "a-zA-Z0-9]+",
      Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
  private static final String END_OF_WORD = "</w>";
  private static final char[] BYTE_TO_CHAR = bytesToUnicode();
  private static final int CACHE_LIMIT = 10_000;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Map<String, Integer> vocab;
  private final Map<String, Integer> ranks;
  private final int bos;
  private final int eos;
  private final int pad;
  private final int unk;
  private final int maxLength;
  private final Map<String, int[]> cache = new ConcurrentHashMap<>();

  /**
   * @param vocab token to id
   * @param merges merge rules in rank order, each a pair of symbols
   * @param specialTokens bos, eos, pad and optionally unk token strings, all present in {@code vocab}
   * @param maxLength number of ids per encoded text, at least 2
   */
  public ClipTokenizer(Map<String, Integer> vocab, List<String[]> merges, SpecialTokens specialTokens, int maxLength) {
    if (maxLength < 2) {
      throw new IllegalArgumentException("maxLength must be at least 2 (bos and eos), got " + maxLength);
    }
    this.vocab = Map.copyOf(vocab);
    Map<String, Integer> r = new HashMap<>();
    for (int i = 0; i < merges.size(); i++) {
      // A repeated rule keeps its last rank, as Python's dict(zip(merges, range(n))) does.
      r.put(merges.get(i)[0] + " " + merges.get(i)[1], i);
    }
    this.ranks = Map.copyOf(r);
    this.bos = idOf(specialTokens.bos(), "bos_token");
    this.eos = idOf(specialTokens.eos(), "eos_token");
    this.pad = idOf(specialTokens.pad(), "pad_token");
    this.unk = specialTokens.unk() == null || !vocab.containsKey(specialTokens.unk()) ? -1 : vocab.get(specialTokens.unk());
    this.maxLength = maxLength;
  }

  /** Token strings with special meaning; {@code unk} may be null. */
  public record SpecialTokens(String bos, String eos, String pad, String unk) {
    public static final SpecialTokens CLIP = new SpecialTokens(DEFAULT_BOS, DEFAULT_EOS, DEFAULT_EOS, DEFAULT_EOS);
  }

  /**
   * Loads a Hugging Face CLIP tokenizer directory. Special tokens come from
   * {@code tokenizer_config.json}, overridden by {@code special_tokens_map.json}; both are optional
   * and default to CLIP's ({@code pad} defaults to eos, as in SD 1.5; SD 2.x uses {@code "!"}).
   *
   * @throws NoSuchFileException when vocab.json or merges.txt is missing
   * @throws IOException when a file cannot be read or parsed
   * @throws IllegalArgumentException when a special token is not in the vocabulary
   */
  public static ClipTokenizer load(Path dir) throws IOException {
    Map<String, Integer> vocab = new HashMap<>();
    JsonNode v = JSON.readTree(dir.resolve("vocab.json").toFile());
    for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      vocab.put(e.getKey(), e.getValue().asInt());
    }
    List<String[]> merges = new ArrayList<>();
    for (String line : Files.readAllLines(dir.resolve("merges.txt"), StandardCharsets.UTF_8)) {
      if (line.isEmpty() || line.startsWith("#version")) {
        continue;
      }
      String[] pair = line.split(" ");
      if (pair.length != 2) {
        throw new IOException("merges.txt line '" + line + "' is not two symbols separated by one space");
      }
      merges.add(pair);
    }
    Map<String, String> special = new HashMap<>(Map.of("bos_token", DEFAULT_BOS, "eos_token", DEFAULT_EOS));
    int maxLength = DEFAULT_MAX_LENGTH;
    for (String name : List.of("tokenizer_config.json", "special_tokens_map.json")) {
      Path file = dir.resolve(name);
      if (!Files.isRegularFile(file)) {
        continue;
      }
      JsonNode config = JSON.readTree(file.toFile());
      for (String key : List.of("bos_token", "eos_token", "pad_token", "unk_token")) {
        JsonNode token = config.get(key);
        // Hugging Face writes either "<|endoftext|>" or {"content": "<|endoftext|>", ...}.
        if (token != null && token.isTextual()) {
          special.put(key, token.asText());
        } else if (token != null && token.hasNonNull("content")) {
          special.put(key, token.get("content").asText());
        }
      }
      JsonNode max = config.get("model_max_length");
      // Some exports write a huge sentinel (1e30) meaning "no limit"; CLIP's text encoders take 77.
      if (max != null && max.isNumber() && max.asLong() >= 2 && max.asLong() <= 4096) {
        maxLength = max.asInt();
      }
    }
    String eos = special.get("eos_token");
    SpecialTokens tokens = new SpecialTokens(special.get("bos_token"), eos,
        special.getOrDefault("pad_token", eos), special.get("unk_token"));
    return new ClipTokenizer(vocab, merges, tokens, maxLength);
  }

  public int maxLength() {
    return maxLength;
  }

  public int bosId() {
    return bos;
  }

  public int eosId() {
    return eos;
  }

  public int padId() {
    return pad;
  }

  /** Encodes one text to exactly {@link #maxLength()} ids. */
  public int[] encode(String text) {
    int[] ids = new int[maxLength];
    int n = 0;
    ids[n++] = bos;
    outer:
    for (String word : words(text)) {
      for (int id : bpeIds(word)) {
        if (n == maxLength - 1) {
          break outer;
        }
        ids[n++] = id;
      }
    }
    ids[n++] = eos;
    while (n < maxLength) {
      ids[n++] = pad;
    }
    return ids;
  }

  /** Encodes texts into one row-major {@code [texts.size(), maxLength]} array. */
  public int[] encodeAll(List<String> texts) {
    int[] all = new int[texts.size() * maxLength];
    for (int i = 0; i < texts.size(); i++) {
      System.arraycopy(encode(texts.get(i)), 0, all, i * maxLength, maxLength);
    }
    return all;
  }

  /** The byte-encoded pieces of {@code text}, before BPE (tokenizer.py's {@code words_of}). */
  static List<String> words(String text) {
    String clean = WHITESPACE.matcher(text).replaceAll(" ");
    int start = 0;
    int end = clean.length();
    while (start < end && clean.charAt(start) == ' ') {
      start++;
    }
    while (end > start && clean.charAt(end - 1) == ' ') {
      end--;
    }
    clean = clean.substring(start, end).toLowerCase(Locale.ROOT);
    List<String> words = new ArrayList<>();
    Matcher m = PIECES.matcher(clean);
    while (m.find()) {
      byte[] utf8 = m.group().getBytes(StandardCharsets.UTF_8);
      StringBuilder sb = new StringBuilder(utf8.length);
      for (byte b : utf8) {
        sb.append(BYTE_TO_CHAR[b & 0xFF]);
      }
      words.add(sb.toString());
    }
    return words;
  }

  /** The BPE symbols of one byte-encoded word, {@code </w>} on the last. */
  List<String> bpe(String word) {
    List<String> symbols = new ArrayList<>(word.length());
    for (int i = 0; i < word.length() - 1; i++) {
      symbols.add(String.valueOf(word.charAt(i)));
    }
    symbols.add(word.charAt(word.length() - 1) + END_OF_WORD);
    while (symbols.size() > 1) {
      int best = Integer.MAX_VALUE;
      int at = -1;
      for (int i = 0; i + 1 < symbols.size(); i++) {
        Integer rank = ranks.get(symbols.get(i) + " " + symbols.get(i + 1));
        if (rank != null && rank < best) {
          best = rank;
          at = i;
        }
      }
      if (at < 0) {
        break;
      }
      String first = symbols.get(at);
      String second = symbols.get(at + 1);
      List<String> merged = new ArrayList<>(symbols.size());
      for (int j = 0; j < symbols.size(); j++) {
        if (j + 1 < symbols.size() && symbols.get(j).equals(first) && symbols.get(j + 1).equals(second)) {
          merged.add(first + second);
          j++;
        } else {
          merged.add(symbols.get(j));
        }
      }
      symbols = merged;
    }
    return symbols;
  }

  private int[] bpeIds(String word) {
    int[] cached = cache.get(word);
    if (cached != null) {
      return cached;
    }
    List<String> symbols = bpe(word);
    int[] ids = new int[symbols.size()];
    for (int i = 0; i < ids.length; i++) {
      Integer id = vocab.get(symbols.get(i));
      if (id == null) {
        if (unk < 0) {
          throw new IllegalArgumentException("symbol '" + symbols.get(i) + "' is not in vocab.json and there is no unk_token");
        }
        id = unk;
      }
      ids[i] = id;
    }
    if (cache.size() < CACHE_LIMIT) {
      cache.put(word, ids);
    }
    return ids;
  }

  private int idOf(String token, String role) {
    Integer id = vocab.get(token);
    if (id == null) {
      throw new IllegalArgumentException(role + " '" + token + "' is not in vocab.json");
    }
    return id;
  }

  /** GPT-2/CLIP's reversible byte to printable-character table. */
  private static char[] bytesToUnicode() {
    char[] table = new char[256];
    boolean[] direct = new boolean[256];
    for (int b = '!'; b <= '~'; b++) {
      direct[b] = true;
    }
    for (int b = 0xA1; b <= 0xAC; b++) {
      direct[b] = true;
    }
    for (int b = 0xAE; b <= 0xFF; b++) {
      direct[b] = true;
    }
    int n = 0;
    for (int b = 0; b < 256; b++) {
      table[b] = direct[b] ? (char) b : (char) (256 + n++);
    }
    return table;
  }
}
