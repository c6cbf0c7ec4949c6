package s3state_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/idstack/idstack/planner/state/statetest"
)

// TestBadS3StateIsRefused: the S3 backend refuses the states the local
// backend refuses, with the same messages, and leaves the object as it was.
func TestBadS3StateIsRefused(t *testing.T) {
	t.Parallel()
	w := newS3World(t, "tfstate")
	for _, tc := range statetest.BadStates() {
		t.Run(tc.Name, func(t *testing.T) {
			t.Parallel()
			key := "states/" + strings.ReplaceAll(tc.Name, " ", "-") + ".json"
			data := tc.Data(t)
			w.putRaw(t, "tfstate", key, data)
			b := w.backend(t, "tfstate", key, "shop")
			st, err := b.Load()
			statetest.CheckRefused(t, st, err, "state s3://tfstate/"+key, tc.Want)
			if got := w.getRaw(t, "tfstate", key); !bytes.Equal(got, data) {
				t.Errorf("the state object changed")
			}
		})
	}
}

// putRaw writes an object as it is, as someone with the bucket's keys can.
func (w *s3World) putRaw(t *testing.T, bucket, key string, data []byte) {
	t.Helper()
	_, err := w.s3().PutObject(context.Background(), &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: bytes.NewReader(data), ContentLength: aws.Int64(int64(len(data)))})
	if err != nil {
		t.Fatal(err)
	}
}

func (w *s3World) getRaw(t *testing.T, bucket, key string) []byte {
	t.Helper()
	for _, o := range w.sim.World().Objects {
		if o.Bucket == bucket && o.Key == key {
			return o.Data
		}
	}
	t.Fatalf("no object s3://%s/%s", bucket, key)
	return nil
}

func (w *s3World) s3() *s3.Client {
	return s3.New(s3.Options{BaseEndpoint: aws.String(w.access.Endpoint), Region: "us-east-1", UsePathStyle: true,
		Credentials:                credentials.NewStaticCredentialsProvider(w.access.AccessKey, w.access.SecretKey, ""),
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired, ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired})
}
