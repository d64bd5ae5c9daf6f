-- ListSiteDevices: a partner's phones in one site, by MAC.
CREATE INDEX layers_device_by_site ON layers (partner, site, key) WHERE scope = 'device';
