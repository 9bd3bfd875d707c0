"""Django's Redis cache backend, keeping one client object per connection pool.

Django's backend builds a new ``redis.Redis`` for every cache call; constructing one
costs more than the round trip itself on a busy page-cache hit (two calls per hit,
articles/cache.py). A client is thread-safe and borrows connections from its pool,
so one per pool serves every thread of the process. Keys are not checked against
memcached's rules, which do not apply to Redis.
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            pool = self._get_connection_pool(write)
            client = self._clients.setdefault(index, self._client(connection_pool=pool))
        return client


class ReusingRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient

    def make_and_validate_key(self, key, version=None):
        # The base class checks every character against memcached's key rules and
        # warns; Redis keys may hold any bytes, and a page-cache hit makes three keys.
        return self.make_key(key, version=version)
