// The BM25 reference of bench/relevance: Lucene 8 (Debian's liblucene8-java) over the same
// documents. EnglishAnalyzer (standard tokenizer, possessives, lower case, English stop
// words, Porter stemmer), BM25Similarity with Lucene's defaults (k1 1.2, b 0.75), fields
// title^2 and body, the classic query parser with its default OR operator; query text
// escaped, since a user's "?" is not a wildcard.
//
//     java -cp LUCENE_JARS:. Bm25Reference DOCS.tsv QUERIES.tsv > RUN.tsv
//
// DOCS.tsv: id, title, body (tab-separated, no tabs inside). QUERIES.tsv: id, text.
// RUN.tsv: query id, document id, rank (1-based), the best 100 per query.
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.queryparser.classic.MultiFieldQueryParser;
import org.apache.lucene.queryparser.classic.QueryParser;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.store.ByteBuffersDirectory;

public class Bm25Reference {
    public static void main(String[] args) throws Exception {
        EnglishAnalyzer analyzer = new EnglishAnalyzer();
        ByteBuffersDirectory dir = new ByteBuffersDirectory();
        IndexWriterConfig config = new IndexWriterConfig(analyzer);
        config.setSimilarity(new BM25Similarity());
        try (IndexWriter writer = new IndexWriter(dir, config)) {
            for (String line : Files.readAllLines(Paths.get(args[0]), StandardCharsets.UTF_8)) {
                String[] cols = line.split("\t", -1);
                Document doc = new Document();
                doc.add(new StringField("id", cols[0], Field.Store.YES));
                doc.add(new TextField("title", cols[1], Field.Store.NO));
                doc.add(new TextField("body", cols[2], Field.Store.NO));
                writer.addDocument(doc);
            }
        }
        IndexSearcher searcher = new IndexSearcher(DirectoryReader.open(dir));
        searcher.setSimilarity(new BM25Similarity());
        Map<String, Float> boosts = new HashMap<>();
        boosts.put("title", 2.0f);
        boosts.put("body", 1.0f);
        MultiFieldQueryParser parser =
            new MultiFieldQueryParser(new String[] {"title", "body"}, analyzer, boosts);
        StringBuilder out = new StringBuilder();
        List<String> queries = Files.readAllLines(Paths.get(args[1]), StandardCharsets.UTF_8);
        for (String line : queries) {
            String[] cols = line.split("\t", -1);
            ScoreDoc[] hits = searcher.search(parser.parse(QueryParser.escape(cols[1])), 100).scoreDocs;
            for (int rank = 0; rank < hits.length; rank++) {
                String id = searcher.doc(hits[rank].doc).get("id");
                out.append(cols[0]).append('\t').append(id).append('\t').append(rank + 1).append('\n');
            }
        }
        System.out.print(out);
    }
}
