/* Whole small files: see fileio.h. */
#include "common/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

ssize_t file_read(const char *path, char *buffer, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t len;

	buffer[0] = '\0';
	if (fd < 0)
		return -errno;
	len = read(fd, buffer, size - 1);
	if (len < 0)
		len = -errno;
	close(fd);
	if (len < 0)
		return len;
	buffer[len] = '\0';
	return len;
}

int file_write(const char *path, const char *text)
{
	size_t len = strlen(text);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t written;
	int r;

	if (fd < 0)
		return -errno;
	written = write(fd, text, len);
	if (written < 0)
		r = -errno;
	else if ((size_t)written != len)
		r = -EIO;
	else
		r = 0;
	close(fd);
	return r;
}
