"""The kiosk agent (`hall kiosk-agent --config FILE`): a kiosk PC's own printer and ID-card reader.

It runs on the kiosk PC, next to the USB printer and the reader, and imports nothing of the hall's
core: like the firmware bridge it talks to the hall over HTTP and Socket.IO with the kiosk's device
token, connecting out and listening on nothing. Modules: `config` (the YAML), `link` (the hall),
`agent` (reader → hall, hall's print jobs → printer), `cli` (the commands, and `hall kiosk-sim`).
"""
