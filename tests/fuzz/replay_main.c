/* SPDX-License-Identifier: MIT */
/*
 * Deterministic corpus replay for libFuzzer targets built without
 * -fsanitize=fuzzer: runs LLVMFuzzerTestOneInput on every file of the
 * directories (or files) named on the command line. A crash or sanitizer
 * report fails the test; otherwise it prints "N passed, 0 failed".
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path, unsigned *count)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long len;

	if (!f)
		return -1;
	if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return -1;
	}
	buf = malloc(len ? (size_t)len : 1);
	if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len) {
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, (size_t)len);
	free(buf);
	(*count)++;
	return 0;
}

int main(int argc, char **argv)
{
	unsigned count = 0, errors = 0;

	for (int i = 1; i < argc; i++) {
		struct stat st;
		DIR *d;
		struct dirent *e;

		if (stat(argv[i], &st) != 0) {
			fprintf(stderr, "replay: cannot open %s\n", argv[i]);
			errors++;
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			errors += run_file(argv[i], &count) != 0;
			continue;
		}
		d = opendir(argv[i]);
		if (!d) {
			errors++;
			continue;
		}
		while ((e = readdir(d)) != NULL) {
			char path[4096];

			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", argv[i],
				 e->d_name);
			errors += run_file(path, &count) != 0;
		}
		closedir(d);
	}
	/* An empty corpus is still a useful smoke run of the empty input. */
	LLVMFuzzerTestOneInput((const uint8_t *)"", 0);
	count++;
	printf("%u passed, %u failed\n", count, errors);
	return errors ? 1 : 0;
}
