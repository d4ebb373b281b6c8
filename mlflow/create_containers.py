#!/usr/bin/env python3
"""Creates Blob containers if they are missing: the compose `azurite-init` job (profile
local) makes Azurite hold the containers infrastructure/ creates in Azure (mlflow-artifacts,
datasets). Reads AZURE_STORAGE_CONNECTION_STRING; container names are the arguments."""

import os
import sys
import time

from azure.core.exceptions import ResourceExistsError, ServiceRequestError
from azure.storage.blob import BlobServiceClient


def main(names: list[str]) -> None:
    connection = os.environ.get("AZURE_STORAGE_CONNECTION_STRING", "").strip()
    if connection == "" or not names:
        print("usage: AZURE_STORAGE_CONNECTION_STRING=... create_containers.py NAME...", file=sys.stderr)
        sys.exit(2)
    service = BlobServiceClient.from_connection_string(connection)
    for name in names:
        for attempt in range(30):
            try:
                service.create_container(name)
                print(f"created container {name}")
            except ResourceExistsError:
                print(f"container {name} exists")
            except ServiceRequestError:
                # The emulator may still be starting.
                if attempt == 29:
                    raise
                time.sleep(1)
                continue
            break


if __name__ == "__main__":
    main(sys.argv[1:])
