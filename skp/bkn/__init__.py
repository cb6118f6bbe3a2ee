"""BKN's e-Kinerja and SIASN: the HTTP clients, tolerant parsing, the simulator and the sync."""
